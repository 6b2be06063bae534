import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DevelopmentFeature, requireInstalled } from '../common/development-packages';

const gzipAsync = promisify(gzip);

/** One file of an npm package that the GraphiQL page loads from this server instead of a CDN. */
export class StaticAsset {
  /** Where the page asks for it: the package's version is in it, so a browser may cache it for good. */
  readonly path: string;
  private readonly file: string;
  private raw?: Promise<Buffer>;
  private gzipped?: Promise<Buffer>;

  constructor(
    packageName: string,
    fileInPackage: string,
    readonly contentType: string,
  ) {
    // Through package.json, as react's "exports" do not list its UMD builds.
    const manifest = require.resolve(`${packageName}/package.json`);
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    this.path = `/graphiql/${packageName}@${version}/${fileInPackage.split('/').pop()}`;
    this.file = join(dirname(manifest), fileInPackage);
  }

  /** Read (and compressed) on first use, then kept: a few megabytes only a developer's browser asks for. */
  body(compressed: boolean): Promise<Buffer> {
    // A failed read is not kept: the next request tries again.
    this.raw ??= readFile(this.file).catch((error: unknown) => {
      this.raw = undefined;
      throw error;
    });
    if (!compressed) return this.raw;
    this.gzipped ??= this.raw.then((raw) => gzipAsync(raw));
    return this.gzipped;
  }
}

const JS = 'text/javascript; charset=utf-8';

/** The page's scripts and styles come from these devDependencies: a production install has none of them. */
export const GRAPHIQL: DevelopmentFeature = {
  name: 'GraphiQL (GRAPHQL_IDE, on by default with the embedded emulator or NODE_ENV=development)',
  packages: ['graphiql', 'react', 'react-dom'],
  otherwise: 'set GRAPHQL_IDE=false',
};

export interface GraphiQLAssets {
  // graphiql's UMD build expects React and ReactDOM as globals, loaded before it.
  REACT: StaticAsset;
  REACT_DOM: StaticAsset;
  GRAPHIQL_JS: StaticAsset;
  GRAPHIQL_CSS: StaticAsset;
  /** Each of them by the path the page asks for. */
  ASSETS: ReadonlyMap<string, StaticAsset>;
}

let assets: GraphiQLAssets | undefined;

/**
 * Found on first use (at start-up, when the IDE is on), not at import: a server with the IDE off
 * neither loads nor needs these packages.
 */
export function graphiqlAssets(): GraphiQLAssets {
  if (!assets) {
    requireInstalled([GRAPHIQL]);
    const REACT = new StaticAsset('react', 'umd/react.production.min.js', JS);
    const REACT_DOM = new StaticAsset('react-dom', 'umd/react-dom.production.min.js', JS);
    const GRAPHIQL_JS = new StaticAsset('graphiql', 'graphiql.min.js', JS);
    const GRAPHIQL_CSS = new StaticAsset('graphiql', 'graphiql.min.css', 'text/css; charset=utf-8');
    const ASSETS = new Map([REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_CSS].map((asset) => [asset.path, asset]));
    assets = { REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_CSS, ASSETS };
  }
  return assets;
}
