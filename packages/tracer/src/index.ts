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
