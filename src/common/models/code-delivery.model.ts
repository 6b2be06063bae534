import { Field, ObjectType } from '@nestjs/graphql';

/** Shared by sign-up (register, resendConfirmationCode) and passwords (forgotPassword). */
@ObjectType({ description: 'Where Cognito sent a confirmation code.' })
export class CodeDelivery {
  @Field(() => String, { nullable: true, description: 'The masked address the code went to, e.g. a***@e***.com.' })
  destination: string | null;

  @Field(() => String, { nullable: true, description: 'How the code was sent: EMAIL or SMS.' })
  medium: string | null;

  @Field(() => String, { nullable: true, description: 'The user attribute the code confirms, e.g. email.' })
  attributeName: string | null;
}
