'use strict';
// Reads a "sent" code out of cognito-local's console message, a box of lines such as
// "│ Code:        123456 │" (its ConsoleMessageSender). Plain CommonJS: the emulator's child
// process (emulator-process.js) runs without TypeScript.

/**
 * One line at a time, from its start only: a pattern with the `m` flag restarted `^\W*` at every
 * newline and ran on over the next ones, so a message of n newlines (a username or an address is
 * client text) cost n² steps (64,000 newlines: 4.6 s).
 *
 * @param {string} message
 * @returns {{ username?: string, destination?: string, code: string } | undefined}
 */
function parseCodeDelivery(message) {
  const lines = message.split('\n');
  const field = (name) => {
    const pattern = new RegExp(`^\\W*${name}:\\s+(\\S+)`);
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return match[1];
    }
    return undefined;
  };
  const code = field('Code');
  return code ? { username: field('Username'), destination: field('Destination'), code } : undefined;
}

module.exports = { parseCodeDelivery };
