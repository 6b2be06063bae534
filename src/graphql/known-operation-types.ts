import { GraphQLError, ValidationRule } from 'graphql';

/**
 * Refuses an operation whose type the schema has no root for (`subscription { x }`: we have no
 * Subscription type) while validating, as the client's error. graphql-js 16 validates the
 * operation's fields only against a root that exists, and finds the missing one when it executes:
 * an error without a code, which Apollo answered as INTERNAL_SERVER_ERROR and we logged as unexpected.
 */
export const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`This server has no ${node.operation} operations`, { nodes: [node] }));
    }
  },
});
