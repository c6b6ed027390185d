import Testing

/// The tests that run against real servers. They run one at a time: each starts its own `redis-server`, and
/// several of them measure how fast a timeout fires, which other tests hammering the same event loops on a small
/// machine would distort.
@Suite(.serialized)
enum RedisIntegrationTests {}
