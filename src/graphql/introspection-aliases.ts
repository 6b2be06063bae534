import {
  FieldNode,
  FragmentDefinitionNode,
  isIntrospectionType,
  OperationDefinitionNode,
  ValidationContext,
} from 'graphql';

/**
 * Counts the aliases that fall within `__schema`/`__type` (on those fields, or on any field of an
 * introspection type, which only they lead to), per operation. Each alias of `__schema` asks for the
 * whole schema again, so the introspection budget allows none (limits.ts). graphql-armor's
 * max-aliases counts every alias of an operation alike, with no bound of its own for introspection.
 *
 * It reads the parent type that graphql-js's validation already tracks, so it walks nothing of its
 * own: the aliases of each definition are counted once, and an operation's are its own plus those of
 * the fragments it spreads (graphql-js's getRecursivelyReferencedFragments, each fragment once).
 */
export class IntrospectionAliases {
  private readonly counts = new Map<OperationDefinitionNode | FragmentDefinitionNode, number>();
  private definition: OperationDefinitionNode | FragmentDefinitionNode | undefined;

  constructor(private readonly context: ValidationContext) {}

  /** Where the fields that follow are, as the document is visited. */
  enter(definition: OperationDefinitionNode | FragmentDefinitionNode) {
    this.definition = definition;
  }

  /** Each field, as the document is visited (within the parallel visit of validation, so that its parent type is known). */
  field(node: FieldNode) {
    if (node.alias && this.definition && this.withinIntrospection(node)) {
      this.counts.set(this.definition, (this.counts.get(this.definition) ?? 0) + 1);
    }
  }

  /** Once the document is visited: the aliases within introspection of `operation`, its fragments included. */
  in(operation: OperationDefinitionNode): number {
    return this.context
      .getRecursivelyReferencedFragments(operation)
      .reduce((sum, fragment) => sum + (this.counts.get(fragment) ?? 0), this.counts.get(operation) ?? 0);
  }

  private withinIntrospection(field: FieldNode): boolean {
    if (field.name.value === '__schema' || field.name.value === '__type') return true;
    const parent = this.context.getParentType();
    return parent ? isIntrospectionType(parent) : false;
  }
}
