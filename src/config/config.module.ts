import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { AppConfig } from './config';

/** The injection token of one setting of the configuration (one key of AppConfig). */
export function settingToken(key: keyof AppConfig): string {
  return `config:${key}`;
}

/**
 * Injects one setting: a provider reads the slice it uses (`@Setting('rateLimits')`), never the
 * whole configuration, so what each part depends on is in its constructor.
 */
export const Setting = (key: keyof AppConfig): ParameterDecorator => Inject(settingToken(key));

/**
 * Holds the configuration parsed once by main.ts (or a test) before the app is built: parseConfig
 * lists every problem at once, and stops the start. Each setting is its own provider.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers = (Object.keys(config) as (keyof AppConfig)[]).map((key) => ({
      provide: settingToken(key),
      // A factory, not useValue: Nest takes `useValue: undefined` (no REDIS_URL) for a class provider.
      useFactory: () => config[key],
    }));
    return { module: ConfigModule, providers, exports: providers.map(({ provide }) => provide) };
  }
}
