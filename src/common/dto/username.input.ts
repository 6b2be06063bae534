import { Field, InputType } from '@nestjs/graphql';
import { IsUsername } from '../input-rules';

/** Shared by sign-up (resendConfirmationCode) and passwords (forgotPassword). */
@InputType({ description: 'A user, by username.' })
export class UsernameInput {
  @Field({ description: 'The username given to `register`.' })
  @IsUsername()
  username: string;
}
