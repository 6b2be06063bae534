import { FieldNode, GraphQLError, Kind, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import type { QueryLimits } from '../config/config';

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
 * What the `__schema`/`__type` fields of an operation may ask for, measured apart from its other
 * fields (which keep the configured limits). The standard introspection query (graphql-js's
 * getIntrospectionQuery, which GraphiQL 3 and GraphQL Code Generator 7 send) measures 15 deep and
 * 220 fields, 230 with every option on, and has no aliases. These bounds admit it, with room for a
 * deeper type reference in a later graphql-js. No aliases: each alias of `__schema` asks for the
 * whole schema again (95 of them in 8 KB answered 1.3 MB, for ~50 ms of CPU; 7 within 300 fields
 * still answered 232 KB). Without aliases repeated fields merge, and graphql-js bounds the nesting
 * of `fields` and the like: the heaviest operation we built answered 90 KB in 1.5 times the
 * standard query's time (42 KB). Measured apart, not by whether an operation holds only
 * introspection: `{ __typename a0: __schema { … } … }` would otherwise pass as an ordinary
 * operation, with its 10 aliases.
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
    const { ordinary, introspection } = measure.topLevel(definition.selectionSet);
    const over = [
      ...overLimits(ordinary, limits),
      ...overLimits(introspection, INTROSPECTION_LIMITS, 'in __schema/__type'),
    ];
    if (over.length > 0) {
      context.reportError(new GraphQLError(`The operation ${over.join(', ')}`, { nodes: [definition] }));
    }
  }
  return {};
}

interface TopLevelCost {
  ordinary: Cost;
  introspection: Cost;
}

const NOTHING: Cost = { fields: 0, aliases: 0, height: 0 };

type Bounds = Pick<QueryLimits, 'maxDepth' | 'maxFields' | 'maxAliases'>;

function overLimits(cost: Cost, { maxDepth, maxFields, maxAliases }: Bounds, part = ''): string[] {
  const what = part ? `${part} ` : '';
  return [
    cost.height > maxDepth && `${what}is nested ${cost.height} deep (at most ${maxDepth})`,
    cost.fields > maxFields && `${what}asks for ${cost.fields} fields (at most ${maxFields})`,
    cost.aliases > maxAliases && `${what}has ${cost.aliases} aliases (at most ${maxAliases})`,
  ].filter((problem): problem is string => typeof problem === 'string');
}

/** The cost of fields side by side in one selection set. */
function total(costs: Cost[]): Cost {
  return costs.reduce(
    (sum, cost) => ({
      fields: sum.fields + cost.fields,
      aliases: sum.aliases + cost.aliases,
      height: Math.max(sum.height, cost.height),
    }),
    { fields: 0, aliases: 0, height: 1 },
  );
}

/**
 * Each fragment is measured once and its cost reused wherever it is spread, so a chain of
 * fragments that spread the next one many times costs linear time to measure, not exponential.
 */
class CostOf {
  private readonly fragments = new Map<string, SelectionSetNode>();
  private readonly measured = new Map<string, Cost>();
  private readonly measuredTopLevel = new Map<string, TopLevelCost>();
  private readonly measuring = new Set<string>();

  constructor(definitions: readonly { kind: Kind; name?: { value: string }; selectionSet?: SelectionSetNode }[]) {
    for (const d of definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION && d.name && d.selectionSet)
        this.fragments.set(d.name.value, d.selectionSet);
    }
  }

  selectionSet(selections: SelectionSetNode): Cost {
    return total(
      selections.selections.map((selection) => {
        if (selection.kind === Kind.FIELD) return this.field(selection);
        if (selection.kind === Kind.INLINE_FRAGMENT) return this.selectionSet(selection.selectionSet);
        return this.fragment(selection.name.value);
      }),
    );
  }

  field(field: FieldNode): Cost {
    const below = field.selectionSet ? this.selectionSet(field.selectionSet) : NOTHING;
    return { fields: below.fields + 1, aliases: below.aliases + (field.alias ? 1 : 0), height: below.height + 1 };
  }

  /**
   * The cost of an operation's top-level fields, `__schema`/`__type` apart from the others, through
   * its fragments (each measured once, as above).
   */
  topLevel(selections: SelectionSetNode): TopLevelCost {
    const parts = selections.selections.map((selection): TopLevelCost => {
      if (selection.kind === Kind.FIELD) {
        const cost = this.field(selection);
        return isIntrospection(selection)
          ? { ordinary: NOTHING, introspection: cost }
          : { ordinary: cost, introspection: NOTHING };
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return this.topLevel(selection.selectionSet);
      return this.topLevelOfFragment(selection.name.value);
    });
    return {
      ordinary: total(parts.map((part) => part.ordinary)),
      introspection: total(parts.map((part) => part.introspection)),
    };
  }

  private topLevelOfFragment(name: string): TopLevelCost {
    const known = this.measuredTopLevel.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.measuring.has(name)) return { ordinary: NOTHING, introspection: NOTHING };
    this.measuring.add(name);
    const cost = this.topLevel(fragment);
    this.measuring.delete(name);
    this.measuredTopLevel.set(name, cost);
    return cost;
  }

  private fragment(name: string): Cost {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    // An unknown fragment or a cycle is graphql-js's own error to report.
    if (!fragment || this.measuring.has(name)) return NOTHING;
    this.measuring.add(name);
    const cost = this.selectionSet(fragment);
    this.measuring.delete(name);
    this.measured.set(name, cost);
    return cost;
  }
}

function isIntrospection(field: FieldNode): boolean {
  return field.name.value === '__schema' || field.name.value === '__type';
}
