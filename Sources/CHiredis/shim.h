#ifndef CGW_HIREDIS_SHIM_H
#define CGW_HIREDIS_SHIM_H

/*
 * Thin shim over hiredis for the GatewayRedis target.
 *
 * Only the parts of hiredis that need no socket are used: the RESP reply reader
 * (redisReaderCreate / redisReaderFeed / redisReaderGetReply) and the command
 * formatter (redisFormatCommandArgv). hiredis 0.14 exposes a few of these as macros,
 * which Swift cannot call; the static inline helpers below wrap them. Every symbol
 * defined here is prefixed `cgw_`.
 */

#include <stddef.h>
#include <hiredis/hiredis.h>

/* The reader's last error message (the redisReaderGetError macro). Never NULL. */
static inline const char *cgw_reader_error(redisReader *reader) {
    return redisReaderGetError(reader);
}

/*
 * The largest unused read buffer the reader keeps between feeds. hiredis frees and
 * reallocates the buffer when more than this is left idle; 0 means never shrink.
 */
static inline void cgw_reader_set_max_buffer(redisReader *reader, size_t bytes) {
    reader->maxbuf = bytes;
}

/* The i-th element of an array reply (reply->element[i]). */
static inline redisReply *cgw_reply_element(const redisReply *reply, size_t index) {
    return reply->element[index];
}

/*
 * Formats a command from binary-safe arguments into RESP. On success returns the
 * length of *target (which the caller frees with redisFreeCommand); returns -1 when
 * memory could not be allocated. Wraps redisFormatCommandArgv, whose `const char **`
 * parameter Swift imports awkwardly.
 */
static inline long long cgw_format_command(char **target, int argc, const char *const *argv,
                                           const size_t *lengths) {
    return (long long)redisFormatCommandArgv(target, argc, (const char **)argv, lengths);
}

/* hiredis's version, for diagnostics. */
static inline int cgw_hiredis_version_major(void) { return HIREDIS_MAJOR; }
static inline int cgw_hiredis_version_minor(void) { return HIREDIS_MINOR; }

#endif /* CGW_HIREDIS_SHIM_H */
