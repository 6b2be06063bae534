import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentUser } from '../access/current-user.decorator';
import { Public } from '../access/decorators';
import { CodeDeliveryDetails } from '../cognito/cognito.types';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { ChangePasswordInput, ConfirmForgotPasswordInput } from './dto/password.inputs';
import { PasswordService } from './password.service';
import { UsernameInput } from '../common/dto/username.input';
import { CodeDelivery } from '../common/models/code-delivery.model';
import { TokenUser } from '../common/token-user';

@Resolver()
export class PasswordResolver {
  constructor(private readonly passwords: PasswordService) {}

  @Public()
  @RateLimit('send')
  @Mutation(() => CodeDelivery, {
    description:
      'Sends a code to reset a forgotten password. Answers the same whether or not the user exists, so the address is not shown.',
  })
  forgotPassword(
    @Args('input', { description: 'Whose password.' }) input: UsernameInput,
  ): Promise<CodeDeliveryDetails> {
    return this.passwords.forgotPassword(input.username);
  }

  @Public()
  @RateLimit('attempt')
  @Mutation(() => Boolean, {
    description:
      'Sets a new password with the code from `forgotPassword` and ends every session of the user. True when done.',
  })
  confirmForgotPassword(
    @Args('input', { description: 'Username, code and new password.' }) input: ConfirmForgotPasswordInput,
  ): Promise<boolean> {
    return this.passwords.confirmForgotPassword(input);
  }

  @RateLimit('attempt')
  @Mutation(() => Boolean, {
    description: "Changes the signed-in user's password and ends their other sessions. True when done.",
  })
  changePassword(
    @CurrentUser() user: TokenUser,
    @Args('input', { description: 'Current and new password.' }) input: ChangePasswordInput,
  ): Promise<boolean> {
    return this.passwords.changePassword(user, input);
  }
}
