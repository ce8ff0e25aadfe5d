// libcurl for Swift: curl_easy_setopt/getinfo and curl_multi_setopt are variadic, which
// Swift cannot call, so each argument type gets one non-variadic wrapper.
#ifndef FLEETDECK_CCURL_SHIM_H
#define FLEETDECK_CCURL_SHIM_H
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*fd_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*fd_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode fd_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_data_callback(CURL *h, CURLoption o, fd_curl_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode fd_curl_easy_setopt_xferinfo_callback(CURL *h, CURLoption o, fd_curl_xferinfo_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode fd_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode fd_curl_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode fd_curl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode fd_curl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLcode fd_curl_easy_getinfo_socket(CURL *h, curl_socket_t *v) { return curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, v); }

static inline CURLMcode fd_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

static inline const char *fd_curl_version_string(void) { return curl_version_info(CURLVERSION_NOW)->version; }
static inline const char *fd_curl_ssl_version_string(void) {
    const char *s = curl_version_info(CURLVERSION_NOW)->ssl_version;
    return s ? s : "none";
}
#endif
