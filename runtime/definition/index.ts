/** The workflow definition layer's public surface; runtime/index.ts re-exports from here. */
export type * from './types.js';
export {
  analyzeWorkflow,
  parseWorkflow,
  loadWorkflowFile,
  normalizeVersion,
  toJsRegexSource,
  DEFAULT_RETRY,
  INLINE_FILE,
  type AnalysisResult,
  type FunctionCatalog,
  type AgentCatalog,
  type LoadOptions,
} from './load.js';
export { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostics.js';
export {
  parseExpression,
  evaluateExpression,
  isTruthy,
  jsonEqual,
  parseStatePath,
  resolveStatePath,
  renderTemplate,
  findTemplatePlaceholders,
  ExpressionSyntaxError,
  StatePathError,
  BUILTIN_FUNCTIONS,
  STRING_METHODS,
  type Expr,
  type TemplatePlaceholder,
} from './expressions.js';
export { didYouMean, editDistance } from './suggest.js';
export {
  WorkflowRegistry,
  parseWorkflowRef,
  compareVersions,
  type RegisteredWorkflow,
  type RegistryProblem,
  type RegistryOptions,
} from './registry.js';
