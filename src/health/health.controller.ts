import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/decorators';
import { CognitoProbe } from '../cognito/cognito-probe';
import { TokenVerifier } from '../cognito/token-verifier';
import { REDIS_LINK } from '../redis/redis.module';
import { RedisLink } from '../redis/redis-link';
import { SessionsService } from '../sessions/sessions.service';

/** Up or down, and nothing more: the endpoints are public, so why is for the server log. */
type Status = { status: 'up' | 'down' };

/** Liveness and readiness, in the response format of @nestjs/terminus's health checks. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly cognito: CognitoProbe,
    private readonly sessions: SessionsService,
    @Optional() @Inject(REDIS_LINK) private readonly redis: RedisLink | null,
  ) {}

  /** The process answers: nothing else is asked, so a slow Cognito never gets the process restarted. */
  @Get('live')
  live() {
    return report({ process: { status: 'up' } });
  }

  /**
   * Ready when tokens can be checked (keys loaded), sign-ins can reach Cognito and, with Redis,
   * this instance has read every sign-out Redis held when it started (so a load balancer never
   * sends it a signed-out token). A Redis lost later is not a reason: every instance would be
   * taken out at once, though each goes on refusing every sign-out it read (the log says so).
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const cognito = await this.cognito.reachable();
    const checks = { jwks: statusOf(this.verifier.ready), cognito: statusOf(cognito) };
    const body = report(this.redis ? { ...checks, redis: statusOf(this.sessions.ready) } : checks);
    if (body.status === 'error') reply.status(503);
    return body;
  }
}

function statusOf(up: boolean): Status {
  return { status: up ? 'up' : 'down' };
}

function report(checks: Record<string, Status>) {
  const up = Object.entries(checks).filter(([, check]) => check.status === 'up');
  const down = Object.entries(checks).filter(([, check]) => check.status === 'down');
  return {
    status: down.length === 0 ? ('ok' as const) : ('error' as const),
    info: Object.fromEntries(up),
    error: Object.fromEntries(down),
    details: checks,
  };
}
