import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsCode } from '../../common/input-rules';

@InputType({ description: 'The first code from the authenticator app set up with `setupTotp`.' })
export class VerifyTotpInput {
  @Field({ description: 'The six-digit code the app shows now.' })
  @IsCode()
  code: string;

  @Field({ nullable: true, description: 'A name for the device, shown in later MFA challenges.' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  deviceName?: string;
}
