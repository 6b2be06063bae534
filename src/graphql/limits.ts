import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  ASTVisitor,
  getEnterLeaveForKind,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import type { QueryLimits } from '../config/config';
import { IntrospectionAliases } from './introspection-aliases';

/**
 * A bound on parsing itself, which runs before any rule: graphql-js's own `maxTokens` parse option
 * (Apollo's `parseOptions`). graphql-js parses recursively: a query nested about 2,000 deep exhausts
 * the stack before 6,000 tokens. The largest query of our own schema, or the standard introspection
 * query (163 tokens, 184 with every option), is a few hundred. graphql-armor's max-tokens counts the
 * same tokens, but through a parse function of its own that only envelop can install: Apollo Server
 * has no place for one.
 */
export const MAX_QUERY_TOKENS = 2000;

/**
 * The introspection budget: what an operation may ask for with its `__schema` field beyond the
 * configured limits (at most max(GRAPHQL_MAX_DEPTH, 20) deep, and GRAPHQL_MAX_FIELDS + 300 in cost:
 * see armorRules; `maxFields` is a cost added to the configured one). The standard introspection
 * query (graphql-js's getIntrospectionQuery, which GraphiQL 3 and GraphQL Code Generator's URL
 * loader send) is 15 deep and costs 240 (250 with every option on: 220 and 230 fields, plus its
 * fragments), and has no aliases. These bounds admit it, with room for a deeper type reference in a
 * later graphql-js. No aliases: each alias of `__schema` asks for the whole schema again (95 of
 * them in 8 KB answered 1.3 MB, for ~50 ms of CPU; 7 within 300 fields still answered 232 KB).
 * Without aliases repeated fields merge, and graphql-js bounds the nesting of `fields` and the
 * like: the heaviest operation we built answered 90 KB in 1.5 times the standard query's time (42
 * KB).
 */
export const INTROSPECTION_LIMITS = { maxDepth: 20, maxFields: 300, maxAliases: 0 };

/**
 * What a selection costs in graphql-armor's cost-limit, which stands in for a field count (armor has
 * none): 1 each, whatever its depth, fragments expanded where they are spread, so that
 * GRAPHQL_MAX_FIELDS still reads as fields (an inline fragment costs 1 more, a named one 2: its
 * spread and its definition). Measured: our operations cost 1 to 18 (Authenticate: 12 fields, 6
 * for its three fragments), the standard introspection query 240 (220 fields). Armor's default
 * weights (an object 2, times 1.5 a level, a fragment a level) give `me` 28 and the introspection
 * query 87,383, a number no longer of fields, which grows with a depth max-depth already bounds.
 * Tokens cannot stand in (armor's max-tokens, or graphql-js's): fragments multiply, and 40 that each
 * spread the next twice are 411 tokens and 2^40 fields. No argument of ours is called `first` or
 * `last`, by which cost-limit would multiply.
 */
const PER_SELECTION = { objectCost: 1, scalarCost: 1, depthCostFactor: 1, flattenFragments: true };

/**
 * Validation rules that refuse an expensive operation before any resolver runs, with one
 * GRAPHQL_VALIDATION_FAILED error per operation that names every limit it is over. Depth, cost and
 * aliases are graphql-armor's rules; the query's bytes and the aliases within introspection are ours
 * (armor has neither). Whether introspection is allowed at all is Apollo's `introspection` option.
 * Measured (bench/limit-rules.js, every rule Apollo runs, NODE_ENV=production): the introspection
 * query validates in 441 µs, the largest query the defaults admit in 412, against 392 and 365 with
 * the single walk of ours these rules replace (armor walks an operation once per rule). Apollo keeps
 * a validated document by its text, so this is paid by a query text's first request only.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [(context) => queryLimits(context, limits)];
}

function queryLimits(context: ValidationContext, limits: QueryLimits): ASTVisitor {
  const body = context.getDocument().loc?.source.body;
  const bytes = Buffer.byteLength(body ?? '');
  if (bytes > limits.maxQueryBytes) {
    context.reportError(
      new GraphQLError(`The query is ${bytes} bytes long; at most ${limits.maxQueryBytes} are allowed`),
    );
    return {};
  }
  // A name is never escaped: a field is `__schema` or `__type` only where the text says so. Without
  // them, the rules of the introspection budget would only measure again what the others did.
  const mentions = (name: RegExp) => body === undefined || name.test(body);
  const refusals = new Map<OperationDefinitionNode, string[]>();
  let refused: string[] = [];
  const rules = armorRules(limits, (text) => refused.push(text));
  const armor = [...rules.ordinary, ...(mentions(/__schema/) ? rules.withIntrospection : [])].map((rule) =>
    rule(context),
  );
  const introspectionAliases = mentions(/__schema|__type\b/) ? new IntrospectionAliases(context) : undefined;
  // One visitor that calls armor's, rather than graphql-js's visitInParallel over them all, which
  // looks up every kind of node in each visitor: 14 µs for 8 visitors, on each validation.
  return {
    OperationDefinition(...visit) {
      introspectionAliases?.enter(visit[0]);
      refused = [];
      refusals.set(visit[0], refused);
      // Each of armor's rules measures the whole operation, fragments included, as it enters it,
      // and says what is over its limit through onReject.
      for (const visitor of armor)
        getEnterLeaveForKind(visitor, Kind.OPERATION_DEFINITION).enter?.apply(visitor, visit);
    },
    FragmentDefinition: (fragment) => introspectionAliases?.enter(fragment),
    Field: (field) => introspectionAliases?.field(field),
    Document: {
      // Once every fragment is known, one error per operation names each limit it is over.
      leave() {
        for (const [operation, problems] of refusals) {
          const aliases = introspectionAliases?.in(operation) ?? 0;
          if (aliases > INTROSPECTION_LIMITS.maxAliases) {
            problems.push(
              `In __schema/__type: Aliases limit of ${INTROSPECTION_LIMITS.maxAliases} exceeded, found ${aliases}.`,
            );
          }
          if (problems.length > 0) context.reportError(new GraphQLError(problems.join(' '), { nodes: [operation] }));
        }
      },
    },
  };
}

/**
 * graphql-armor's rules, each reporting through `refuse` rather than throwing (armor's default,
 * `propagateOnRejection`, throws out of graphql-js's validate(), which Apollo answers as an internal
 * error). Armor's `ignoreIntrospection` leaves out the `__schema` field alone: `__type` look-ups
 * count as ordinary fields. The budget of `__schema` is a second depth and cost rule over the whole
 * operation, whose ordinary fields the first rules already bound: at most max(GRAPHQL_MAX_DEPTH, 20)
 * deep, and GRAPHQL_MAX_FIELDS + 300 in cost.
 */
function armorRules(
  limits: QueryLimits,
  refuse: (text: string) => void,
): { ordinary: ValidationRule[]; withIntrospection: ValidationRule[] } {
  // Armor calls its refusals "Syntax Error: …", though the query parsed.
  const reporting = (label: string) => ({
    propagateOnRejection: false,
    onReject: [(_: unknown, error: GraphQLError) => refuse(label + error.message.replace(/^Syntax Error: /, ''))],
  });
  const ordinary = { ...reporting(''), ignoreIntrospection: true, flattenFragments: true };
  const withIntrospection = {
    ...reporting('Introspection included: '),
    ignoreIntrospection: false,
    flattenFragments: true,
  };
  return {
    ordinary: [
      maxDepthRule({ ...ordinary, n: limits.maxDepth }),
      costLimitRule({ ...ordinary, ...PER_SELECTION, maxCost: limits.maxFields }),
      // Armor lets `__typename` be aliased freely by default; each alias is counted here, as before.
      maxAliasesRule({ ...reporting(''), n: limits.maxAliases, allowList: [] }),
    ],
    withIntrospection: [
      maxDepthRule({ ...withIntrospection, n: Math.max(limits.maxDepth, INTROSPECTION_LIMITS.maxDepth) }),
      costLimitRule({
        ...withIntrospection,
        ...PER_SELECTION,
        maxCost: limits.maxFields + INTROSPECTION_LIMITS.maxFields,
      }),
    ],
  };
}
