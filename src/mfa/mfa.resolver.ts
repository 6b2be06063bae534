import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentUser } from '../access/current-user.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { VerifyTotpInput } from './dto/verify-totp.input';
import { MfaService } from './mfa.service';
import { TotpSetup } from './models/totp-setup.model';
import { TokenUser } from '../common/token-user';

@Resolver()
export class MfaResolver {
  constructor(private readonly mfa: MfaService) {}

  @Mutation(() => TotpSetup, {
    description: 'Starts TOTP set-up for the signed-in user: a secret for an authenticator app. Then `verifyTotp`.',
  })
  setupTotp(@CurrentUser() user: TokenUser): Promise<TotpSetup> {
    return this.mfa.setupTotp(user);
  }

  @RateLimit('attempt')
  @Mutation(() => Boolean, {
    description: 'Checks a first code from the authenticator app and turns TOTP MFA on: sign-ins then ask for a code.',
  })
  verifyTotp(
    @CurrentUser() user: TokenUser,
    @Args('input', { description: 'The code, and a name for the device.' }) input: VerifyTotpInput,
  ): Promise<boolean> {
    return this.mfa.verifyTotp(user, input);
  }
}
