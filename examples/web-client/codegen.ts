import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for the web UI's operations, from the schema the service emits. Paths are relative to
 * the repository root (`npm run codegen` runs there). CI runs it with `--check`.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'examples/web-client/operations/*.graphql',
  generates: {
    'examples/web-client/generated/': {
      preset: 'client',
      // Its one fragment shares a selection between two queries; it is no component's private
      // data, so masking would only add unwrapping.
      presetConfig: { fragmentMasking: false },
      config: {
        enumType: 'string-literal', // client-preset 6's successor of enumsAsTypes: no runtime enums
        useTypeImports: true,
        scalars: { DateTime: 'string' },
        strictScalars: true, // a new scalar must be mapped here, not typed `any`
      },
    },
  },
};

export default config;
