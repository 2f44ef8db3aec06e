export type { RewardDimension, RewardReadOptions, RewardSpanLike } from "./emitter/reward-readers.js";
export {
  findFinalReward,
  findRewardSpans,
  getRewardsFromSpan,
  getRewardValue,
  isRewardSpan,
} from "./emitter/reward-readers.js";
export {
  AGL_ANNOTATION,
  AGL_EXCEPTION,
  AGL_MESSAGE,
  AGL_OBJECT,
  AGL_OPERATION,
  AGL_REWARD,
  AGL_VIRTUAL,
  ExceptionAttributes,
  LegacySpanAttributes,
  LightningResourceAttributes,
  LightningSpanAttributes,
} from "./semconv.js";
export type {
  FlatAttributes,
  FlattenOptions,
  LinkableSpan,
  LinkMatch,
  SanitizeOptions,
} from "./utils/attributes.js";
export {
  checkAttributesSanity,
  extractLinksFromAttributes,
  extractTagsFromAttributes,
  filterAndUnflattenAttributes,
  filterAttributes,
  flattenAttributes,
  formatExceptionAttributes,
  isAttributeValue,
  makeLinkAttributes,
  makeTagAttributes,
  queryLinkedSpans,
  sanitizeAttributes,
  sanitizeAttributeValue,
  unflattenAttributes,
} from "./utils/attributes.js";
