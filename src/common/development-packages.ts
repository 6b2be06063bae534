import { StartupError } from './startup-error';

/**
 * A development-only feature and the packages it needs. They are devDependencies, so a production
 * install (`npm ci --omit=dev`) leaves them out, and each is loaded only by the feature that uses it.
 */
export interface DevelopmentFeature {
  /** What a person asked for, and with which setting: "GraphiQL (GRAPHQL_IDE)". */
  name: string;
  packages: readonly string[];
  /** The other way out, besides installing them: "set GRAPHQL_IDE=false". */
  otherwise: string;
}

/** Features the configuration asks for whose packages are not installed: one sentence each. */
export class MissingPackagesError extends StartupError {
  constructor(missing: { feature: DevelopmentFeature; packages: string[] }[]) {
    super(
      missing
        .map(({ feature, packages }) => {
          const [what, it] =
            packages.length === 1 ? ['a development dependency', 'it'] : ['development dependencies', 'them'];
          return (
            `${feature.name} needs ${listed(packages)}, ${what} that this install left out (npm ci --omit=dev): ` +
            `install ${it} with \`npm ci\`, or ${feature.otherwise}.`
          );
        })
        .join('\n'),
    );
  }
}

/**
 * Stops the start, before anything listens, when a feature asked for lacks a package: every such
 * feature at once, rather than a "Cannot find module" at its first use.
 */
export function requireInstalled(features: readonly DevelopmentFeature[]): void {
  const missing = features
    .map((feature) => ({ feature, packages: feature.packages.filter((name) => !isInstalled(name)) }))
    .filter(({ packages }) => packages.length > 0);
  if (missing.length > 0) throw new MissingPackagesError(missing);
}

function isInstalled(name: string): boolean {
  try {
    // Through package.json, which every package we check has in reach (react's "exports" list it;
    // the others have no "exports"): the entry point of some is not what a server would load.
    require.resolve(`${name}/package.json`);
    return true;
  } catch (error) {
    // Only "not found" means missing: a package whose "exports" hide its package.json is there.
    return (error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND';
  }
}

function listed(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
