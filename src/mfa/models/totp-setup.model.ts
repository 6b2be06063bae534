import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What an authenticator app needs to produce TOTP codes for this user.' })
export class TotpSetup {
  @Field({ description: 'The shared secret (base32), to type into the app.' })
  secretCode: string;

  @Field({ description: 'The same secret as an otpauth:// URI, to show as a QR code.' })
  otpauthUri: string;
}
