import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCode, IsEmailAddress } from '../../common/input-rules';

@InputType({ description: 'Profile changes: only the fields given change.' })
export class UpdateMeInput {
  @Field({ nullable: true, description: 'A new email address: a code is sent to it, for `verifyEmail`.' })
  @IsOptional()
  @IsEmailAddress()
  email?: string;

  @Field({ nullable: true, description: 'A new display name.' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  name?: string;
}

@InputType({ description: 'The code sent to a new email address.' })
export class VerifyEmailInput {
  @Field({ description: 'The code from the email.' })
  @IsCode()
  code: string;
}
