// `@khipu/kesque/ethereumjs`: the @ethereumjs/util `DB` adapter over Kesque.
export {
  type CreateKesqueDBParameters,
  type CreateKesqueDBReturnType,
  createKesqueDB,
  KesqueDB,
  type KesqueDBErrorType,
  type KesqueDBKey,
  type KesqueDBValue,
  type KesqueDBValueEncoding,
} from './kesqueDB.js';
export {
  CODE_KEY_BYTES,
  CODE_KEY_PREFIX,
  DEFAULT_KESQUE_DB_TABLES,
  HASH_KEY_BYTES,
  type KesqueDBTables,
  kesqueDBTableOptions,
} from './keySpaces.js';
