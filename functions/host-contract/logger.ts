/** The functions' JSON logger, which the host writes its own lines with (one log format for a whole service). */
export { createLogger, type Logger } from '../platform/logger';
