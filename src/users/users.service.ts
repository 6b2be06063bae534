import { Injectable } from '@nestjs/common';
import { CognitoAccountService } from '../cognito/cognito-account.service';
import { TokenUser, UserProfile } from '../cognito/cognito.types';

@Injectable()
export class UsersService {
  // Keyed by the per-request user object, so the profile is fetched at most once per request
  // (however many profile fields are asked for) and is gone with the request.
  private readonly profiles = new WeakMap<TokenUser, Promise<UserProfile>>();

  constructor(private readonly cognito: CognitoAccountService) {}

  profile(user: TokenUser): Promise<UserProfile> {
    let profile = this.profiles.get(user);
    if (!profile) {
      profile = this.cognito.getUser(user.accessToken);
      this.profiles.set(user, profile);
    }
    return profile;
  }
}
