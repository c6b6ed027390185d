// openloop: an open-loop, constant-rate HTTP/1.1 load generator (what wrk2 does; wrk2 is not packaged in Debian).
//
// wrk keeps each connection waiting for its answer, and its delay() only spaces a connection's own requests, in
// whole milliseconds, so connections that start together keep firing together: at "1,000 req/s" made of ten
// connections with a 10 ms delay a server sees a burst of ten requests every ten milliseconds. hey's rate limit
// fires every worker on the same tick the same way. openloop sends request i at start + i / rate, whatever the
// answers before it are doing: a request goes out on a kept-alive connection that is free, on a new one when none
// is (up to -c), and otherwise waits for one. Latency runs from the moment the request was due, not from when it
// could be written, so time spent waiting behind a slow server is counted (no coordinated omission).
//
//   openloop -r RATE -d SECONDS [-w WARMUP_SECONDS] [-c MAX_CONNECTIONS] [-q MAX_WAITING] [-m METHOD]
//            [-H 'Name: value']... [-b BODY_FILE] [-T TOKEN_FILE] [-o LATENCIES_FILE] http://HOST:PORT/PATH
//
// A target that cannot keep up would make the backlog, and the run, grow without end: a request that falls due
// while MAX_WAITING (default: half a second's worth, RATE / 2) are already waiting for a connection is not sent and
// is counted as `dropped`; such a run did not sustain the rate.
//
// -T reads a bearer token from a file (so it never appears in a process listing). -o writes every measured
// latency in microseconds, one a line, in the order the requests were due. Prints one line:
//   RESULT {"requests":…,"rps":…,"p50_us":…,…}
// with the percentiles of the measured (post-warm-up) requests, the achieved rate (answers to the requests due in
// the measured window, per second of it), `duration_s` (from the window's start to the last answer), errors, non-2xx answers, how
// many requests were due while every connection was busy (`queued`), the generator's own lateness: how long
// after its due time each request was written when a connection was free (`send_lag_p99_us`), and every answer
// received, warm-up included (`answered_with_warmup`, for CPU time per request). Answers must carry
// Content-Length or chunked transfer coding; plain http only.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 32
#define READ_BUFFER (256 * 1024)

static void die(const char *message) {
    fprintf(stderr, "openloop: %s\n", message);
    exit(2);
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "openloop: cannot open %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t capacity = 4096, used = 0;
    char *data = malloc(capacity);
    size_t n;
    while ((n = fread(data + used, 1, capacity - used, file)) > 0) {
        used += n;
        if (used == capacity) data = realloc(data, capacity *= 2);
    }
    fclose(file);
    *length = used;
    return data;
}

enum state { CONNECTING, IDLE, BUSY, CLOSED };

struct connection {
    int fd;
    enum state state;
    uint64_t due;        // when the request now in flight was due
    int measured;        // the request in flight is past the warm-up
    size_t written;      // bytes of the request written
    char *buffer;        // the answer read so far
    size_t received;
    size_t head_length;  // 0 until the head is complete
    size_t expected;     // the whole answer's length, once known (0 before)
    int chunked;         // Transfer-Encoding: chunked; `scan` is where the next chunk's size line starts
    size_t scan;
    int status;
};

struct settings {
    double rate, duration, warmup;
    int max_connections;
    const char *latencies_path;
    struct sockaddr_in address;
    char *request;
    size_t request_length;
};

static struct settings settings;
static struct connection *connections;
static int connection_count;
static int epoll_fd;

// Requests that were due while no connection was free, in due order (a ring of due times).
static uint64_t *waiting;
static size_t waiting_head, waiting_count, waiting_capacity;

static uint64_t *latencies;          // measured latencies in ns, by completion
static size_t latency_count, latency_capacity;
static uint64_t *send_lags;          // due → written, for requests sent at once
static size_t send_lag_count, send_lag_capacity;
static long errors, non_2xx, queued, dropped, sent, measured_sent, answered;
static size_t max_waiting;

static void push(uint64_t **array, size_t *count, size_t *capacity, uint64_t value) {
    if (*count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 4096;
        *array = realloc(*array, *capacity * sizeof(uint64_t));
    }
    (*array)[(*count)++] = value;
}

static void parse_url(const char *url, char **host_header, char **path) {
    if (strncmp(url, "http://", 7) != 0) die("only http:// URLs are supported");
    const char *authority = url + 7;
    const char *slash = strchr(authority, '/');
    size_t authority_length = slash ? (size_t)(slash - authority) : strlen(authority);
    *host_header = strndup(authority, authority_length);
    *path = strdup(slash ? slash : "/");
    char *host = strndup(authority, authority_length);
    char *colon = strrchr(host, ':');
    const char *port = "80";
    if (colon) {
        *colon = 0;
        port = colon + 1;
    }
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *found;
    if (getaddrinfo(host, port, &hints, &found) != 0) die("cannot resolve the URL's host (IPv4 only)");
    memcpy(&settings.address, found->ai_addr, sizeof settings.address);
    freeaddrinfo(found);
    free(host);
}

// Connects slot `index` (a new slot when it is connection_count); the connection becomes idle once connected.
static void open_connection(int index) {
    if (index == settings.max_connections) return;
    struct connection *c = &connections[index];
    if (!c->buffer) c->buffer = malloc(READ_BUFFER);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket() failed");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&settings.address, sizeof settings.address) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        errors++;
        return;
    }
    c->state = CONNECTING;
    struct epoll_event event = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)index};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event);
    if (index == connection_count) connection_count++;
}

static void close_connection(struct connection *c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->state = CLOSED;
}

// Writes what is left of the request; 0 when all of it is out, 1 when the socket is full, -1 on error.
static int write_request(struct connection *c) {
    while (c->written < settings.request_length) {
        ssize_t n = write(c->fd, settings.request + c->written, settings.request_length - c->written);
        if (n > 0) {
            c->written += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return 1;
        } else {
            return -1;
        }
    }
    return 0;
}

static void start_request(struct connection *c, uint64_t due, int measured, int from_queue) {
    c->state = BUSY;
    c->due = due;
    c->measured = measured;
    c->written = 0;
    c->received = 0;
    c->head_length = 0;
    c->expected = 0;
    c->chunked = 0;
    int result = write_request(c);
    if (!from_queue && measured) push(&send_lags, &send_lag_count, &send_lag_capacity, now_ns() - due);
    struct epoll_event event = {.events = EPOLLIN | (result == 1 ? EPOLLOUT : 0),
                                .data.u32 = (uint32_t)(c - connections)};
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
    if (result < 0) {
        errors++;
        close_connection(c);
    }
}

static struct connection *free_connection(void) {
    // Round robin over the kept-alive connections, so a server's event loops all get work.
    static int next;
    for (int i = 0; i < connection_count; i++) {
        struct connection *c = &connections[(next + i) % connection_count];
        if (c->state == IDLE) {
            next = (int)(c - connections) + 1;
            return c;
        }
    }
    return NULL;
}

static uint64_t warmup_end;

static void dispatch(uint64_t due) {
    int measured = due >= warmup_end;
    struct connection *c = free_connection();
    if (!c && waiting_count >= max_waiting) {
        if (measured) dropped++;
        return;
    }
    sent++;
    if (measured) measured_sent++;
    if (c) {
        start_request(c, due, measured, 0);
        return;
    }
    queued++;
    if (waiting_count == waiting_capacity) {
        size_t capacity = waiting_capacity ? waiting_capacity * 2 : 1024;
        uint64_t *ring = malloc(capacity * sizeof(uint64_t));
        for (size_t i = 0; i < waiting_count; i++) ring[i] = waiting[(waiting_head + i) % waiting_capacity];
        free(waiting);
        waiting = ring;
        waiting_head = 0;
        waiting_capacity = capacity;
    }
    waiting[(waiting_head + waiting_count++) % waiting_capacity] = due;
    open_connection(connection_count);  // it takes the oldest waiting request once connected
}

static void became_idle(struct connection *c) {
    c->state = IDLE;
    if (waiting_count > 0) {
        uint64_t due = waiting[waiting_head];
        waiting_head = (waiting_head + 1) % waiting_capacity;
        waiting_count--;
        start_request(c, due, due >= warmup_end, 1);
    } else {
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - connections)};
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
    }
}

// Parses the answer's head once it is complete: status, and Content-Length or chunked transfer coding. Returns -1
// when the head is malformed or gives neither.
static int parse_head(struct connection *c) {
    char *end = memmem(c->buffer, c->received, "\r\n\r\n", 4);
    if (!end) return c->received == READ_BUFFER ? -1 : 0;
    size_t head_length = (size_t)(end - c->buffer) + 4;
    if (c->received < 12 || strncmp(c->buffer, "HTTP/1.", 7) != 0) return -1;
    c->status = atoi(c->buffer + 9);
    long content_length = -1;
    char *line = memchr(c->buffer, '\n', head_length) + 1;
    while (line < end) {
        char *next = memchr(line, '\n', (size_t)(end + 2 - line));
        if (!next) break;
        if (strncasecmp(line, "content-length:", 15) == 0) content_length = strtol(line + 15, NULL, 10);
        if (strncasecmp(line, "transfer-encoding:", 18) == 0 && memmem(line, (size_t)(next - line), "chunked", 7))
            c->chunked = 1;
        line = next + 1;
    }
    c->head_length = head_length;
    if (c->chunked) {
        c->scan = head_length;
        return 0;
    }
    if (content_length < 0) return -1;
    c->expected = head_length + (size_t)content_length;
    return 0;
}

// Walks the chunks received so far; sets `expected` once the last chunk (size 0, no trailers) is in. Returns -1 on
// a malformed size line.
static int scan_chunks(struct connection *c) {
    while (c->expected == 0) {
        char *start = c->buffer + c->scan;
        char *line_end = memmem(start, c->received - c->scan, "\r\n", 2);
        if (!line_end) return 0;
        char *digits_end;
        unsigned long size = strtoul(start, &digits_end, 16);
        if (digits_end == start) return -1;
        size_t next = c->scan + (size_t)(line_end - start) + 2 + size + 2;
        if (size == 0) {
            c->expected = next;  // the size line, then the empty line that ends the (empty) trailer section
            return 0;
        }
        if (next > c->received) return 0;
        c->scan = next;
    }
    return 0;
}

static void on_readable(struct connection *c, uint64_t now) {
    for (;;) {
        if (c->received == READ_BUFFER) {
            errors++;
            close_connection(c);
            return;
        }
        ssize_t n = read(c->fd, c->buffer + c->received, READ_BUFFER - c->received);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            if (c->state == BUSY) errors++;
            close_connection(c);
            return;
        }
        if (c->state != BUSY) {  // bytes nobody asked for
            errors++;
            close_connection(c);
            return;
        }
        c->received += (size_t)n;
        if ((c->head_length == 0 && parse_head(c) < 0) || (c->chunked && scan_chunks(c) < 0)) {
            errors++;
            close_connection(c);
            return;
        }
        if (c->expected != 0 && c->received >= c->expected) {
            if (c->received > c->expected) {  // more than one answer: not HTTP/1.1 as sent
                errors++;
                close_connection(c);
                return;
            }
            answered++;
            if (c->measured) {
                push(&latencies, &latency_count, &latency_capacity, now - c->due);
                if (c->status < 200 || c->status > 299) non_2xx++;
            }
            became_idle(c);
            return;
        }
    }
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(uint64_t *sorted, size_t count, double p) {
    if (count == 0) return 0;
    size_t index = (size_t)(p / 100.0 * (double)count + 0.5);
    if (index > 0) index--;
    if (index >= count) index = count - 1;
    return (double)sorted[index] / 1000.0;
}

int main(int argc, char **argv) {
    const char *method = "GET", *body_path = NULL, *token_path = NULL;
    const char *headers[MAX_HEADERS];
    int header_count = 0;
    settings.max_connections = 64;
    int option;
    long max_waiting_option = -1;
    while ((option = getopt(argc, argv, "r:d:w:c:q:m:H:b:T:o:")) != -1) {
        switch (option) {
        case 'r': settings.rate = atof(optarg); break;
        case 'd': settings.duration = atof(optarg); break;
        case 'w': settings.warmup = atof(optarg); break;
        case 'c': settings.max_connections = atoi(optarg); break;
        case 'q': max_waiting_option = atol(optarg); break;
        case 'm': method = optarg; break;
        case 'H':
            if (header_count == MAX_HEADERS) die("too many -H");
            headers[header_count++] = optarg;
            break;
        case 'b': body_path = optarg; break;
        case 'T': token_path = optarg; break;
        case 'o': settings.latencies_path = optarg; break;
        default: die("usage: openloop -r RATE -d SECONDS [-w SECONDS] [-c CONNECTIONS] [-q MAX_WAITING] [-m METHOD] "
                     "[-H HEADER]... [-b BODY_FILE] [-T TOKEN_FILE] [-o LATENCIES_FILE] http://HOST:PORT/PATH");
        }
    }
    if (optind != argc - 1) die("give exactly one URL");
    if (settings.rate <= 0 || settings.duration <= 0) die("-r RATE and -d SECONDS must be positive");
    if (settings.max_connections < 1 || settings.max_connections > 10000) die("-c must be 1 to 10000");
    if (settings.warmup < 0) die("-w must not be negative");
    max_waiting = max_waiting_option >= 0 ? (size_t)max_waiting_option : (size_t)(settings.rate / 2 + 1);

    char *host_header, *path;
    parse_url(argv[optind], &host_header, &path);
    size_t body_length = 0;
    char *body = body_path ? read_file(body_path, &body_length) : NULL;
    char *token = NULL;
    if (token_path) {
        size_t token_length;
        token = read_file(token_path, &token_length);
        while (token_length > 0 && (token[token_length - 1] == '\n' || token[token_length - 1] == '\r' ||
                                    token[token_length - 1] == ' '))
            token_length--;
        token[token_length] = 0;
    }
    size_t capacity = 4096 + body_length + (token ? strlen(token) : 0);
    for (int i = 0; i < header_count; i++) capacity += strlen(headers[i]) + 2;
    settings.request = malloc(capacity);
    int length = snprintf(settings.request, capacity, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, host_header);
    for (int i = 0; i < header_count; i++)
        length += snprintf(settings.request + length, capacity - (size_t)length, "%s\r\n", headers[i]);
    if (token) length += snprintf(settings.request + length, capacity - (size_t)length, "Authorization: Bearer %s\r\n", token);
    if (body) length += snprintf(settings.request + length, capacity - (size_t)length, "Content-Length: %zu\r\n", body_length);
    length += snprintf(settings.request + length, capacity - (size_t)length, "\r\n");
    if (body) {
        memcpy(settings.request + length, body, body_length);
        length += (int)body_length;
    }
    settings.request_length = (size_t)length;

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    connections = calloc((size_t)settings.max_connections, sizeof *connections);
    // Open a few connections up front (more are opened on demand), and wait until they are connected.
    int initial = settings.max_connections < 4 ? settings.max_connections : 4;
    for (int i = 0; i < initial; i++) open_connection(i);
    struct epoll_event events[256];
    for (uint64_t deadline = now_ns() + 5000000000u; now_ns() < deadline;) {
        int connected = 0;
        for (int i = 0; i < connection_count; i++) connected += connections[i].state == IDLE;
        if (connected == connection_count) break;
        int n = epoll_wait(epoll_fd, events, 256, 100);
        for (int i = 0; i < n; i++) {
            struct connection *c = &connections[events[i].data.u32];
            if (c->state != CONNECTING) continue;
            int error = 0;
            socklen_t size = sizeof error;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
            if (error) die("cannot connect to the URL's host and port");
            c->state = IDLE;
            struct epoll_event event = {.events = EPOLLIN, .data.u32 = events[i].data.u32};
            epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
        }
    }

    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event timer_event = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer, &timer_event);

    double interval = 1e9 / settings.rate;
    uint64_t start = now_ns() + 1000000u;
    warmup_end = start + (uint64_t)(settings.warmup * 1e9);
    uint64_t total = (uint64_t)((settings.warmup + settings.duration) * settings.rate + 0.5);
    uint64_t stop = start + (uint64_t)((settings.warmup + settings.duration) * 1e9);
    uint64_t next_index = 0;
    int timer_armed = 0;

    for (;;) {
        uint64_t now = now_ns();
        while (next_index < total && start + (uint64_t)((double)next_index * interval) <= now) {
            dispatch(start + (uint64_t)((double)next_index * interval));
            next_index++;
        }
        int busy = waiting_count > 0;
        for (int i = 0; i < connection_count && !busy; i++)
            busy = connections[i].state == BUSY || connections[i].state == CONNECTING;
        if (next_index >= total && !busy) break;
        if (now > stop + 10000000000u) break;  // answers still missing 10 s after the last was due
        if (next_index < total && !timer_armed) {
            uint64_t due = start + (uint64_t)((double)next_index * interval);
            struct itimerspec when = {.it_value = {.tv_sec = (time_t)(due / 1000000000u),
                                                   .tv_nsec = (long)(due % 1000000000u)}};
            timerfd_settime(timer, TFD_TIMER_ABSTIME, &when, NULL);
            timer_armed = 1;
        }
        int n = epoll_wait(epoll_fd, events, 256, 1000);
        now = now_ns();
        for (int i = 0; i < n; i++) {
            if (events[i].data.u32 == UINT32_MAX) {
                uint64_t expirations;
                if (read(timer, &expirations, sizeof expirations) < 0) { /* spurious */ }
                timer_armed = 0;
                continue;
            }
            struct connection *c = &connections[events[i].data.u32];
            if (c->state == CLOSED) continue;
            if (c->state == CONNECTING) {
                int error = 0;
                socklen_t size = sizeof error;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error) {
                    errors++;
                    close_connection(c);
                    continue;
                }
                became_idle(c);
                continue;
            }
            if ((events[i].events & EPOLLOUT) && c->state == BUSY && c->written < settings.request_length) {
                int result = write_request(c);
                if (result < 0) {
                    errors++;
                    close_connection(c);
                    continue;
                }
                if (result == 0) {
                    struct epoll_event event = {.events = EPOLLIN, .data.u32 = events[i].data.u32};
                    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
                }
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, now);
        }
        // A closed connection's slot is connected again, so requests waiting for a connection can go out.
        for (int i = 0; i < connection_count && waiting_count > 0; i++) {
            if (connections[i].state == CLOSED) open_connection(i);
        }
    }

    uint64_t finished = now_ns();
    long missing = (long)measured_sent - (long)latency_count;
    if (settings.latencies_path) {
        FILE *out = fopen(settings.latencies_path, "w");
        if (!out) die("cannot write the latencies file");
        for (size_t i = 0; i < latency_count; i++) fprintf(out, "%llu\n", (unsigned long long)(latencies[i] / 1000));
        fclose(out);
    }
    qsort(latencies, latency_count, sizeof(uint64_t), compare);
    qsort(send_lags, send_lag_count, sizeof(uint64_t), compare);
    // The achieved rate: answers to the requests due in the measured window, per second of that window (answers
    // still arriving after it count, so a run whose requests all got answered achieved the rate asked for; one that
    // dropped requests or lost answers did not).
    double elapsed = (double)(finished - warmup_end) / 1e9;
    printf("RESULT {\"requests\":%zu,\"target_rps\":%.1f,\"rps\":%.1f,\"duration_s\":%.3f,\"connections\":%d,"
           "\"p50_us\":%.0f,\"p90_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,\"max_us\":%.0f,"
           "\"errors\":%ld,\"non_2xx\":%ld,\"missing\":%ld,\"queued\":%ld,\"dropped\":%ld,\"send_lag_p99_us\":%.0f,"
           "\"answered_with_warmup\":%ld}\n",
           latency_count, settings.rate, (double)latency_count / settings.duration,
           elapsed, connection_count, percentile_us(latencies, latency_count, 50), percentile_us(latencies, latency_count, 90),
           percentile_us(latencies, latency_count, 99), percentile_us(latencies, latency_count, 99.9),
           latency_count ? (double)latencies[latency_count - 1] / 1000.0 : 0.0, errors, non_2xx, missing, queued, dropped,
           percentile_us(send_lags, send_lag_count, 99), answered);
    return errors > 0 || missing > 0 ? 1 : 0;
}
