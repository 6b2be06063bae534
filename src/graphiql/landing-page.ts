import { ApolloServerPlugin } from '@apollo/server';
import { createHash, randomBytes } from 'node:crypto';
import { GraphiQLAssets, graphiqlAssets } from './assets';

interface Tab {
  query: string;
  variables?: string;
  headers?: string;
}

/** Who the tabs sign up and in. */
interface DemoUser {
  username: string;
  email: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * A new name each visit: the README's `alice` is often taken already (by its curl walkthrough,
 * or by an earlier visit), and Register would answer USERNAME_EXISTS.
 */
function freshUser(): DemoUser {
  const username = `alice-${randomBytes(3).toString('hex')}`;
  return { username, email: `${username}@example.com` };
}

/** The README's flow, in order, so a first-time user only has to press run (and read the log for the code). */
const defaultTabs = ({ username, email }: DemoUser): Tab[] => [
  {
    query: `# 1. Create an account (a new name each visit). The embedded
# Cognito writes the confirmation code to the server log.
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    username
    userSub
    userConfirmed
    codeDelivery { destination medium attributeName }
  }
}`,
    variables: json({ input: { username, email, password: 'Corr3ct-Horse!', name: 'Alice' } }),
  },
  {
    query: `# 2. Confirm it with the code from the log
# (or from the email a real user pool sent).
mutation ConfirmRegistration($input: ConfirmRegistrationInput!) {
  confirmRegistration(input: $input)
}`,
    variables: json({ input: { username, code: '123456' } }),
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
    variables: json({ input: { username, password: 'Corr3ct-Horse!' } }),
  },
  {
    query: `# 4. Who am I? Paste the accessToken in Headers below.
query Me {
  me { id username email emailVerified name groups }
}`,
    headers: json({ Authorization: 'Bearer <accessToken>' }),
  },
];

const options = (user: DemoUser) => ({
  url: '/graphql',
  defaultTabs: defaultTabs(user),
  isHeadersEditorEnabled: true,
  // Open below the query: the first tabs need their variables, the last its Authorization header.
  defaultEditorToolsVisibility: true,
  shouldPersistHeaders: false,
});

// sessionStorage: tokens (in headers and history) and passwords (in variables) go with the browser
// tab, where GraphiQL's default, localStorage, would keep them. GraphiQL 3 opens the first default
// tab with its query but not its variables: those come as props. On a reload it looks for the tab
// whose text equals those props and adds a new one when none does (a second Register, without its
// variables): so the props are the text of the tab that was open, as the browser tab kept it.
//
// GraphiQL shows Variables or Headers for the whole page, not per tab, and only its own buttons
// switch them: on a switch of tab, press the one for the editor the tab has text in (Headers for
// Me, which has only its Authorization header), unless the user has closed the editors.
//
// Headers are not kept (a token is no one's to find in storage): after a reload every tab's
// headers are null, and GraphiQL would show Me with an empty Headers editor. So a tab with null
// headers that opened with a template (Me, while its query is as it opened) gets the template
// back, never the token typed over it: as the headers prop when it is the tab that reopens (the
// tab match ignores headers while they are not kept, and GraphiQL, which tells onTabChange of
// changes only, opens on Headers by itself when the first tab has headers and no variables), and
// in the headers editor on a switch to it (GraphiQL then records it in the tab, as a user's edit).
const INIT = `
const options = JSON.parse(document.getElementById('graphiql-options').textContent);
const kept = JSON.parse(sessionStorage.getItem('graphiql:tabState') || 'null');
const { query, variables } = (kept && kept.tabs && kept.tabs[kept.activeTabIndex]) || options.defaultTabs[0];
const templateFor = (tab) => {
  const opened = options.defaultTabs.find((defaultTab) => defaultTab.query === tab.query);
  return (opened && opened.headers) || undefined;
};
// The second editor below the query (GraphiQL 3 draws Variables, then Headers).
const headersEditor = () => {
  const element = document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')[1];
  const wrapper = element && element.querySelector('.CodeMirror');
  return wrapper && wrapper.CodeMirror;
};
let shownTabId;
const showEditorWithText = ({ tabs, activeTabIndex }) => {
  const tab = tabs[activeTabIndex];
  if (tab.id === shownTabId) return;
  shownTabId = tab.id;
  const template = tab.headers === null ? templateFor(tab) : undefined;
  const editor = tab.variables ? 'variables' : tab.headers || template ? 'headers' : undefined;
  // After React has drawn the tab: this runs while GraphiQL changes its state.
  setTimeout(() => {
    const headers = template && headersEditor();
    if (headers) headers.setValue(template);
    const shown = document.querySelector('.graphiql-editor-tools button.active');
    if (editor && shown && shown.dataset.name !== editor) {
      document.querySelector('.graphiql-editor-tools button[data-name="' + editor + '"]').click();
    }
  });
};
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    ...options,
    query: query || '',
    variables: variables || '',
    headers: templateFor({ query }),
    fetcher: GraphiQL.createFetcher({ url: options.url }),
    storage: sessionStorage,
    onTabChange: showEditorWithText,
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

// A token in the result begins beside its key, fills each line (broken anywhere, not at its
// hyphens only) and is indented under the key, instead of starting on a line of its own at the
// left edge in ragged pieces. 8ch: the indent of the tokens in authenticate's answer, plus two.
// CodeMirror measures the lines it draws, so clicks and selections still land on the right
// characters (as in its own "indentwrap" demo, which sets the same two properties per line).
const RESULT_STYLE = `.graphiql-response .CodeMirror-wrap .cm-string { word-break: break-all; }
.graphiql-response .CodeMirror-wrap pre.CodeMirror-line { padding-left: calc(4px + 8ch); text-indent: -8ch; }`;

/** The assets' paths name the installed versions. */
const page = ({ GRAPHIQL_CSS, REACT, REACT_DOM, GRAPHIQL_JS }: GraphiQLAssets, user: DemoUser) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${GRAPHIQL_CSS.path}">
<style>body { margin: 0; } #graphiql { height: 100vh; }
${RESULT_STYLE}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${REACT.path}"></script>
<script src="${REACT_DOM.path}"></script>
<script src="${GRAPHIQL_JS.path}"></script>
<script type="application/json" id="graphiql-options">${scriptSafe(options(user))}</script>
<script>${INIT}</script>
</body>
</html>
`;

/**
 * GraphiQL as Apollo's landing page (GET /graphql from a browser): the GraphQL route stays
 * Apollo's, with its CSRF prevention, and the page's own requests are JSON POSTs it lets through.
 */
export function graphiqlLandingPage(): ApolloServerPlugin {
  // Now, at start-up: a missing package stops the start rather than the first visit.
  const assets = graphiqlAssets();
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          // Drawn for each visit, each with a user of its own.
          return { html: async () => page(assets, freshUser()) };
        },
      };
    },
  };
}
