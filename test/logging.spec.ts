import { Writable } from 'node:stream';
import { LogSettings } from '../src/config/config';
import { createLogger } from '../src/logging/logger';
import { PinoNestLogger } from '../src/logging/nest-logger';

function capture(settings: LogSettings) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: new PinoNestLogger(createLogger(settings, destination)), lines };
}

describe('the log', () => {
  it('writes JSON lines with the context and the fields of an object message', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });
    logger.log({ msg: 'request', reqId: 'r-1', outcome: 'OK' }, 'Request');
    logger.log('plain words', 'Main');
    logger.debug('below the level', 'Main');
    logger.error('it broke', 'Error: it broke\n    at somewhere', 'Cognito');
    logger.error('no context', 'Error: no context\n    at file.js:1:2');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 30, context: 'Request', msg: 'request', reqId: 'r-1', outcome: 'OK' }),
      expect.objectContaining({ level: 30, context: 'Main', msg: 'plain words' }),
      expect.objectContaining({
        level: 50,
        context: 'Cognito',
        msg: 'it broke',
        stack: expect.stringContaining('at somewhere'),
      }),
      expect.objectContaining({ level: 50, msg: 'no context', stack: expect.stringContaining('at file.js:1:2') }),
    ]);
  });

  it('redacts authorization, passwords, tokens, sessions and input codes wherever they are nested', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });
    const secrets = [
      'Bearer eyJ.secret',
      'Pa55word!',
      'An0ther!',
      'eyJ.access',
      'eyJ.id',
      'eyJ.refresh',
      'sess-1',
      '123456',
    ];
    logger.log(
      {
        msg: 'careless',
        authorization: secrets[0],
        req: { headers: { authorization: secrets[0] } },
        input: { password: secrets[1], newPassword: secrets[2], code: secrets[7] },
        result: { accessToken: secrets[3], idToken: secrets[4], refreshToken: secrets[5], session: secrets[6] },
        error: { code: 'ECONNREFUSED' },
      },
      'Test',
    );
    const [line] = lines;
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      input: { password: '[redacted]', newPassword: '[redacted]', code: '[redacted]' },
      result: { accessToken: '[redacted]', session: '[redacted]' },
      // An error's code is no secret.
      error: { code: 'ECONNREFUSED' },
    });
  });

  it("redacts in any letter case, in arrays and deep down, and leaves the caller's objects alone", () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });
    const headers = { Authorization: 'Bearer eyJ.header', 'content-type': 'application/json' };
    const deep = { a: { b: { c: { d: { e: { f: { g: 'too deep to walk' } } } } } } };
    logger.log({ msg: 'careless', headers, calls: [{ input: { Password: 'In-an-array1' } }], deep }, 'Test');
    const line = JSON.parse(lines[0]);
    expect(line.headers).toEqual({ Authorization: '[redacted]', 'content-type': 'application/json' });
    expect(line.calls).toEqual([{ input: { Password: '[redacted]' } }]);
    expect(JSON.stringify(line.deep)).not.toContain('too deep to walk');
    expect(headers.Authorization).toBe('Bearer eyJ.header');
  });

  it('redacts the names Cognito and HTTP use, keeps an error readable, and stops in a cyclic object', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });
    const failure = Object.assign(new Error('Cognito said no'), {
      $request: { AuthParameters: { USERNAME: 'alice', PASSWORD: 'Cognito-Pa55!' }, SECRET_HASH: 'c2VjcmV0' },
    });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    for (let i = 0; i < 8; i++) cyclic[`self${i}`] = cyclic;
    logger.log(
      {
        msg: 'careless',
        challenge: { ChallengeResponses: { SMS_MFA_CODE: '654321' } },
        'x-api-key': 'k3y',
        failure,
        cyclic,
      },
      'Test',
    );
    const line = JSON.parse(lines[0]);
    for (const secret of ['Cognito-Pa55!', 'c2VjcmV0', '654321', 'k3y']) expect(lines[0]).not.toContain(secret);
    expect(line.failure).toMatchObject({
      type: 'Error',
      message: 'Cognito said no',
      stack: expect.stringContaining('Error'),
    });
    expect(line.cyclic.name).toBe('loop');
    expect(lines[0].length).toBeLessThan(10_000);
  });

  it('writes readable lines in development', () => {
    const { logger, lines } = capture({ level: 'info', format: 'pretty' });
    logger.log('GraphQL API ready at http://localhost:3000/graphql', 'Main');
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Main\] GraphQL API ready at http:\/\/localhost:3000\/graphql$/,
    );
  });
});
