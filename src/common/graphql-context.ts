import { FastifyRequest } from 'fastify';
import { TokenUser } from './token-user';

/** The GraphQL context of one request: Nest's Apollo driver puts the Fastify request on it. */
export interface GraphQLContext {
  req: FastifyRequest;
  /** Set by AuthGuard once the bearer token is verified. */
  user?: TokenUser;
  /** The verification in flight: guarded fields resolved side by side share it. */
  verifying?: Promise<TokenUser>;
}
