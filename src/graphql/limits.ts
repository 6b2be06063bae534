import { FieldNode, GraphQLError, Kind, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';

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
 * Validation rules that refuse an expensive operation before any resolver runs, with a
 * GRAPHQL_VALIDATION_FAILED error that names the limit.
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
  const fragments = new Map(
    document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d.selectionSet]),
  );
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || isIntrospection(definition.selectionSet)) continue;
    const count = { fields: 0, aliases: 0, depth: 0 };
    walk(definition.selectionSet, 1, count, fragments, new Set());
    const over = [
      count.depth > limits.maxDepth && `is nested ${count.depth} deep (at most ${limits.maxDepth})`,
      count.fields > limits.maxFields && `asks for ${count.fields} fields (at most ${limits.maxFields})`,
      count.aliases > limits.maxAliases && `has ${count.aliases} aliases (at most ${limits.maxAliases})`,
    ].filter(Boolean);
    if (over.length > 0) {
      context.reportError(new GraphQLError(`The operation ${over.join(', ')}`, { nodes: [definition] }));
    }
  }
  return {};
}

function walk(
  selections: SelectionSetNode,
  depth: number,
  count: { fields: number; aliases: number; depth: number },
  fragments: Map<string, SelectionSetNode>,
  visiting: Set<string>,
): void {
  count.depth = Math.max(count.depth, depth);
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      countField(selection, count);
      if (selection.selectionSet) walk(selection.selectionSet, depth + 1, count, fragments, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      walk(selection.selectionSet, depth, count, fragments, visiting);
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment cycle is graphql-js's own error to report (NoFragmentCyclesRule).
      if (!fragment || visiting.has(selection.name.value)) continue;
      visiting.add(selection.name.value);
      walk(fragment, depth, count, fragments, visiting);
      visiting.delete(selection.name.value);
    }
  }
}

/**
 * An IDE's introspection query is deep and wide by nature; it is allowed or refused as a whole
 * (GRAPHQL_INTROSPECTION, off in production), not measured.
 */
function isIntrospection(selections: SelectionSetNode): boolean {
  return selections.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
}

function countField(field: FieldNode, count: { fields: number; aliases: number }): void {
  count.fields++;
  if (field.alias) count.aliases++;
}
