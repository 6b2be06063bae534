'use strict';
// Two things cognito-local (5.3.0) stores about a pool but does not do, done here, in the
// emulator's own process (emulator-process.js), before it serves. Plain CommonJS, as that process.
// Both reach into the package's lib/ folder: test/features/sign-up.e2e-spec.ts fails should a new version move them.

const userPoolService = require('cognito-local/lib/services/userPoolService');
const { Targets } = require('cognito-local/lib/targets/targets');

const { UserPoolServiceImpl, attribute, attributeValue, attributesAppend } = userPoolService;

/**
 * UsernameConfiguration.CaseSensitive=false: AWS treats "Alice" and "alice" as one user, known by
 * the name it signed up with. cognito-local keeps the setting but looks users up by the exact name
 * (its issue #270). Every target finds users through getUserByUsername (SignUp's "already exists"
 * check included), so a lookup that misses exactly tries the names in any case, for such pools only.
 * A miss already makes cognito-local read every user (it looks for a `sub` too): no new cost in kind.
 */
function foldUsernameCase() {
  const exactly = UserPoolServiceImpl.prototype.getUserByUsername;
  UserPoolServiceImpl.prototype.getUserByUsername = async function (ctx, username) {
    const found = await exactly.call(this, ctx, username);
    if (found || this.options.UsernameConfiguration?.CaseSensitive !== false || typeof username !== 'string') {
      return found;
    }
    const folded = username.toLowerCase();
    const users = await this.listUsers(ctx);
    return users.find((user) => user.Username.toLowerCase() === folded) ?? null;
  };
}

/**
 * AutoVerifiedAttributes ["email"]: the sign-up code went to the address, so AWS marks it verified
 * when the code confirms the sign-up. cognito-local confirms and leaves `email_verified` unset
 * (GetUser then has none: `me.emailVerified` was null).
 */
function verifyEmailOnConfirmation() {
  const confirmSignUp = Targets.ConfirmSignUp;
  Targets.ConfirmSignUp = (services) => {
    const confirm = confirmSignUp(services);
    return async (ctx, req) => {
      const answer = await confirm(ctx, req);
      const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.Username);
      if (userPool.options.AutoVerifiedAttributes?.includes('email') && attributeValue('email', user?.Attributes)) {
        await userPool.saveUser(ctx, {
          ...user,
          Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')),
        });
      }
      return answer;
    };
  };
}

function makeFaithful() {
  foldUsernameCase();
  verifyEmailOnConfirmation();
}

module.exports = { makeFaithful };
