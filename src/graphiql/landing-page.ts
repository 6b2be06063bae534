import { ApolloServerPlugin } from '@apollo/server';
import { createHash } from 'node:crypto';
import { graphiqlAssets } from './assets';

interface Tab {
  query: string;
  variables?: string;
  headers?: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The README's flow, in order, so a first-time user only has to press run (and read the log for the code). */
const DEFAULT_TABS: Tab[] = [
  {
    query: `# 1. Create an account. The embedded Cognito writes
# the confirmation code to the server log.
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    username
    userSub
    userConfirmed
    codeDelivery { destination medium attributeName }
  }
}`,
    variables: json({
      input: { username: 'alice', email: 'alice@example.com', password: 'Corr3ct-Horse!', name: 'Alice' },
    }),
  },
  {
    query: `# 2. Confirm it with the code from the log
# (or from the email a real user pool sent).
mutation ConfirmRegistration($input: ConfirmRegistrationInput!) {
  confirmRegistration(input: $input)
}`,
    variables: json({ input: { username: 'alice', code: '123456' } }),
  },
  {
    query: `# 3. Sign in, and copy accessToken for the Me tab.
# A challenge (new password, MFA) comes as AuthChallenge.
mutation Authenticate($input: AuthenticateInput!) {
  authenticate(input: $input) {
    __typename
    ... on AuthTokens { accessToken idToken refreshToken expiresIn tokenType }
    ... on AuthChallenge { name session parameters { name value } }
  }
}`,
    variables: json({ input: { username: 'alice', password: 'Corr3ct-Horse!' } }),
  },
  {
    query: `# 4. Who am I? Paste the accessToken in Headers below.
query Me {
  me { id username email emailVerified name groups }
}`,
    headers: json({ Authorization: 'Bearer <accessToken>' }),
  },
];

const OPTIONS = {
  url: '/graphql',
  defaultTabs: DEFAULT_TABS,
  isHeadersEditorEnabled: true,
  // Open below the query: the first tabs need their variables, the last its Authorization header.
  defaultEditorToolsVisibility: true,
  shouldPersistHeaders: false,
};

// sessionStorage: tokens (in headers and history) and passwords (in variables) go with the browser
// tab, where GraphiQL's default, localStorage, would keep them. GraphiQL 3 opens the first default
// tab with its query but not its variables: those come as props, on a first visit only (props
// would outrank what storage kept of the user's edits).
const INIT = `
const options = JSON.parse(document.getElementById('graphiql-options').textContent);
const firstVisit = !sessionStorage.getItem('graphiql:tabState');
const { query, variables } = options.defaultTabs[0];
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    ...options,
    ...(firstVisit ? { query, variables } : {}),
    fetcher: GraphiQL.createFetcher({ url: options.url }),
    storage: sessionStorage,
  }),
);
`;

// Everything from this server; the one inline script by its hash. Styles may be inline: GraphiQL
// and CodeMirror set style attributes.
const CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(INIT).digest('base64')}'`,
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** JSON that cannot end its <script> element early, whatever a tab's text says. */
function scriptSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Built when the IDE is turned on: the assets' paths name the installed versions. */
function graphiqlHtml(): string {
  const { GRAPHIQL_CSS, REACT, REACT_DOM, GRAPHIQL_JS } = graphiqlAssets();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${GRAPHIQL_CSS.path}">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${REACT.path}"></script>
<script src="${REACT_DOM.path}"></script>
<script src="${GRAPHIQL_JS.path}"></script>
<script type="application/json" id="graphiql-options">${scriptSafe(OPTIONS)}</script>
<script>${INIT}</script>
</body>
</html>
`;
}

/**
 * GraphiQL as Apollo's landing page (GET /graphql from a browser): the GraphQL route stays
 * Apollo's, with its CSRF prevention, and the page's own requests are JSON POSTs it lets through.
 */
export function graphiqlLandingPage(): ApolloServerPlugin {
  // Now, at start-up: a missing package stops the start rather than the first visit.
  const html = graphiqlHtml();
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
