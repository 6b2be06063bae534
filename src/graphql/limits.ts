import { GraphQLError, Kind, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';

export interface QueryLimits {
  /** Bytes of the query text. */
  maxQueryBytes: number;
  /** Nesting of selections (`{ me { id } }` is 2). */
  maxDepth: number;
  /** Fields in the whole operation, fragments expanded: a bound on the work one request asks for. */
  maxFields: number;
  /** Aliased fields: each alias of a mutation runs it again (rate limits count each). */
  maxAliases: number;
}

/**
 * A bound on parsing itself, which runs before any rule. graphql-js parses recursively: a query
 * nested about 2,000 deep exhausts the stack before 6,000 tokens. The largest query of our own
 * schema, or the standard introspection query (163 tokens, 184 with every option), is a few hundred.
 */
export const MAX_QUERY_TOKENS = 2000;

/** What a selection set asks for, fragments expanded. */
interface Cost {
  fields: number;
  aliases: number;
  /** Levels of selections below and including this one. */
  height: number;
}

/**
 * What an operation of only `__schema`/`__type` fields may ask for, instead of the configured
 * limits. The standard introspection query (graphql-js's getIntrospectionQuery, which GraphiQL 3
 * and GraphQL Code Generator 7 send) measures 15 deep and 220 fields, 230 with every option on,
 * and has no aliases. These bounds admit it, with room for a deeper type reference in a later
 * graphql-js. No aliases: each alias of `__schema` asks for the whole schema again (95 of them in
 * 8 KB answered 1.3 MB, for ~50 ms of CPU; 7 within 300 fields still answered 232 KB). Without
 * aliases repeated fields merge, and graphql-js bounds the nesting of `fields` and the like: the
 * heaviest operation we built answered 90 KB in 1.5 times the standard query's time (42 KB).
 */
export const INTROSPECTION_LIMITS = { maxDepth: 20, maxFields: 300, maxAliases: 0 };

/**
 * Validation rules that refuse an expensive operation before any resolver runs, with a
 * GRAPHQL_VALIDATION_FAILED error that names the limit. Introspection is measured too, against
 * INTROSPECTION_LIMITS (whether it is allowed at all is Apollo's `introspection` option).
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [(context) => checkLimits(context, limits)];
}

function checkLimits(context: ValidationContext, limits: QueryLimits) {
  const document = context.getDocument();
  const bytes = Buffer.byteLength(document.loc?.source.body ?? '');
  if (bytes > limits.maxQueryBytes) {
    context.reportError(
      new GraphQLError(`The query is ${bytes} bytes long; at most ${limits.maxQueryBytes} are allowed`),
    );
    return {};
  }
  const measure = new CostOf(document.definitions);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const { maxDepth, maxFields, maxAliases } = isIntrospection(definition.selectionSet)
      ? { ...limits, ...INTROSPECTION_LIMITS }
      : limits;
    const cost = measure.selectionSet(definition.selectionSet);
    const over = [
      cost.height > maxDepth && `is nested ${cost.height} deep (at most ${maxDepth})`,
      cost.fields > maxFields && `asks for ${cost.fields} fields (at most ${maxFields})`,
      cost.aliases > maxAliases && `has ${cost.aliases} aliases (at most ${maxAliases})`,
    ].filter(Boolean);
    if (over.length > 0) {
      context.reportError(new GraphQLError(`The operation ${over.join(', ')}`, { nodes: [definition] }));
    }
  }
  return {};
}

/**
 * Each fragment is measured once and its cost reused wherever it is spread, so a chain of
 * fragments that spread the next one many times costs linear time to measure, not exponential.
 */
class CostOf {
  private readonly fragments = new Map<string, SelectionSetNode>();
  private readonly measured = new Map<string, Cost>();
  private readonly measuring = new Set<string>();

  constructor(definitions: readonly { kind: Kind; name?: { value: string }; selectionSet?: SelectionSetNode }[]) {
    for (const d of definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION && d.name && d.selectionSet)
        this.fragments.set(d.name.value, d.selectionSet);
    }
  }

  selectionSet(selections: SelectionSetNode): Cost {
    const cost: Cost = { fields: 0, aliases: 0, height: 1 };
    for (const selection of selections.selections) {
      let inner: Cost;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet
          ? this.selectionSet(selection.selectionSet)
          : { fields: 0, aliases: 0, height: 0 };
        inner = {
          fields: below.fields + 1,
          aliases: below.aliases + (selection.alias ? 1 : 0),
          height: below.height + 1,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = this.selectionSet(selection.selectionSet);
      } else {
        inner = this.fragment(selection.name.value);
      }
      cost.fields += inner.fields;
      cost.aliases += inner.aliases;
      cost.height = Math.max(cost.height, inner.height);
    }
    return cost;
  }

  private fragment(name: string): Cost {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    // An unknown fragment or a cycle is graphql-js's own error to report.
    if (!fragment || this.measuring.has(name)) return { fields: 0, aliases: 0, height: 0 };
    this.measuring.add(name);
    const cost = this.selectionSet(fragment);
    this.measuring.delete(name);
    this.measured.set(name, cost);
    return cost;
  }
}

function isIntrospection(selections: SelectionSetNode): boolean {
  return selections.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type'),
  );
}
