import { FakeCognito } from '../support/fake-cognito';
import { CLIENT, ProtocolPool, secretHash } from '../support/protocol';
import { errorCodes, GraphQLResponse } from '../support/test-server';

/** One mutation that sends a code: its name, Cognito's operation, and a call of it for `username`. */
export interface CodeDelivery {
  mutation: string;
  target: string;
  send: (username: string) => Promise<GraphQLResponse<Record<string, unknown>>>;
}

/**
 * resendConfirmationCode and forgotPassword behave alike: the delivery without its address, and
 * the same answer whether or not the user exists (or can get a code). sign-up.e2e-spec.ts and
 * passwords.e2e-spec.ts run these cases on theirs, on the fake pool of their describe block.
 */
export function describeCodeDelivery(pool: ProtocolPool, { mutation, target, send }: CodeDelivery): void {
  const { answer, targets, newUsername } = pool;
  let fake: FakeCognito;
  beforeAll(() => {
    ({ fake } = pool);
  });

  describe(`protocol: ${mutation} (${target})`, () => {
    const delivered = (Destination: string, DeliveryMedium: string, AttributeName: string) =>
      answer(target, { CodeDeliveryDetails: { Destination, DeliveryMedium, AttributeName } });

    it(`sends {ClientId, SecretHash, Username} and answers the delivery without its destination`, async () => {
      const username = newUsername();
      delivered('+*******1234', 'SMS', 'phone_number');

      const response = await send(username);

      expect(response.errors).toBeUndefined();
      expect(response.data![mutation]).toEqual({ destination: null, medium: 'SMS', attributeName: 'phone_number' });
      expect(targets()).toEqual([target]);
      expect(fake.calls[0].body).toEqual({ ClientId: CLIENT, SecretHash: secretHash(username), Username: username });
    });

    it.each([
      ['UserNotFoundException', 'Username/client id combination not found.'],
      ['InvalidParameterException', 'User is already confirmed.'],
      ['NotAuthorizedException', 'User is disabled.'],
    ])('answers %s ("%s") exactly as it answers a real user: no account enumeration', async (type, message) => {
      delivered('r***@e***.com', 'EMAIL', 'email');
      const real = await send(newUsername());
      fake.error(target, type, message);
      const hidden = await send(newUsername());

      expect(real.errors).toBeUndefined();
      expect(hidden).toEqual(real);
      expect(targets()).toEqual([target, target]);
    });

    it('answers LimitExceededException with TOO_MANY_REQUESTS', async () => {
      fake.error(target, 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      expect(errorCodes(await send(newUsername()))).toEqual(['TOO_MANY_REQUESTS']);
    });

    it('answers a Cognito server fault (HTTP 500) with SERVICE_UNAVAILABLE', async () => {
      fake.error(target, 'InternalErrorException', 'Internal error', 500);
      expect(errorCodes(await send(newUsername()))).toEqual(['SERVICE_UNAVAILABLE']);
    });

    it('reports a wrong client secret (NotAuthorizedException about the secret hash) as INTERNAL_SERVER_ERROR', async () => {
      fake.error(target, 'NotAuthorizedException', `Unable to verify secret hash for client ${CLIENT}`);
      expect(errorCodes(await send(newUsername()))).toEqual(['INTERNAL_SERVER_ERROR']);
    });
  });
}
