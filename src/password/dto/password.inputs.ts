import { Field, InputType } from '@nestjs/graphql';
import { IsCode, IsPassword, IsUsername } from '../../common/input-rules';
import { DiffersFromCurrentPassword, IsNewPassword } from '../../common/password-policy';

@InputType({ description: 'The code from `forgotPassword`, and the new password.' })
export class ConfirmForgotPasswordInput {
  @Field({ description: 'The username given to `forgotPassword`.' })
  @IsUsername()
  username: string;

  @Field({ description: 'The code that `forgotPassword` sent.' })
  @IsCode()
  code: string;

  @Field({ description: "The new password; it must meet the pool's password policy." })
  @IsNewPassword()
  newPassword: string;
}

@InputType({ description: 'The current password, and the new one.' })
export class ChangePasswordInput {
  @Field({ description: 'The current password.' })
  @IsPassword()
  currentPassword: string;

  @Field({ description: "The new password: it must differ from the current one and meet the pool's policy." })
  @IsNewPassword()
  @DiffersFromCurrentPassword()
  newPassword: string;
}
