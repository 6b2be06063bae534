import { CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import { undisclosedUser } from '../cognito-errors';
import { CodeDeliveryDetails } from '../cognito.types';

/** Where Cognito says it sent a code (SignUp). */
export function codeDelivery(details: CodeDeliveryDetailsType): CodeDeliveryDetails {
  return {
    destination: details.Destination ?? null,
    medium: details.DeliveryMedium ?? null,
    attributeName: details.AttributeName ?? null,
  };
}

/**
 * What a reset or resend answers for a user who does not exist (or cannot get a code): the same
 * shape as for one who does, without the address, so the answer does not tell who has an account.
 */
const UNDISCLOSED_DELIVERY: CodeDeliveryDetails = { destination: null, medium: 'EMAIL', attributeName: 'email' };

/** As UNDISCLOSED_DELIVERY, for a user who exists: same shape, no address. */
export function undisclosed(details: CodeDeliveryDetailsType | undefined): CodeDeliveryDetails {
  return {
    ...UNDISCLOSED_DELIVERY,
    medium: details?.DeliveryMedium ?? 'EMAIL',
    attributeName: details?.AttributeName ?? 'email',
  };
}

/** Errors that would tell whether the user exists are answered as a known user's request. */
export const UNDISCLOSED_USER_ERRORS = undisclosedUser(UNDISCLOSED_DELIVERY);
