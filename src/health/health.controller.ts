import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { TokenVerifier } from '../cognito/token-verifier';

type Status = { status: 'up' | 'down' };

/** Liveness and readiness, in the shape of @nestjs/terminus's health checks. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly verifier: TokenVerifier) {}

  @Get('live')
  live() {
    return report({ process: { status: 'up' } });
  }

  /** Ready once the token signing keys are loaded: before that, no signed-in request can be answered. */
  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const jwks: Status = { status: this.verifier.ready ? 'up' : 'down' };
    if (jwks.status === 'down') reply.status(503);
    return report({ jwks });
  }
}

function report(checks: Record<string, Status>) {
  const up = Object.entries(checks).filter(([, check]) => check.status === 'up');
  const down = Object.entries(checks).filter(([, check]) => check.status === 'down');
  return {
    status: down.length === 0 ? 'ok' : 'error',
    info: Object.fromEntries(up),
    error: Object.fromEntries(down),
    details: checks,
  };
}
