/*
 * Link-time stand-ins for the optional back ends of Debian's libcurl.a that have no usable
 * static archive on Debian 12: LDAP (OpenLDAP + SASL), RTMP (librtmp + GnuTLS + p11-kit) and
 * GSS-API/Kerberos. Fleetdeck restricts libcurl to http/https and never asks for Negotiate
 * authentication, so none of these is reached; if one were, it fails cleanly (an error code
 * or NULL), never silently succeeds. Only the static release link (scripts/build-release) uses
 * this file.
 */
#include <stddef.h>

#define FAIL_INT(name) int name(void) { return -1; }
#define FAIL_PTR(name) void *name(void) { return NULL; }
#define NOTHING(name) void name(void) { }

/* GSS-API: GSS_S_FAILURE is (13 << 16); the OID is an opaque pointer. */
void *GSS_C_NT_HOSTBASED_SERVICE = NULL;
#define GSS_FAIL(name) unsigned int name(void) { return 13u << 16; }
GSS_FAIL(gss_delete_sec_context)
GSS_FAIL(gss_display_name)
GSS_FAIL(gss_display_status)
GSS_FAIL(gss_import_name)
GSS_FAIL(gss_init_sec_context)
GSS_FAIL(gss_inquire_context)
GSS_FAIL(gss_release_buffer)
GSS_FAIL(gss_release_name)
GSS_FAIL(gss_unwrap)
GSS_FAIL(gss_wrap)

/* librtmp */
FAIL_PTR(RTMP_Alloc)
NOTHING(RTMP_Close)
FAIL_INT(RTMP_Connect1)
FAIL_INT(RTMP_ConnectStream)
NOTHING(RTMP_Free)
NOTHING(RTMP_Init)
FAIL_INT(RTMP_Read)
NOTHING(RTMP_SetBufferMS)
int RTMP_SetupURL(void) { return 0; } /* FALSE: URL refused */
FAIL_INT(RTMP_Write)

/* OpenLDAP / liblber */
NOTHING(ber_bvfree)
NOTHING(ber_free)
NOTHING(ber_memfree)
NOTHING(ber_memvfree)
FAIL_INT(ber_sockbuf_add_io)
FAIL_INT(ldap_abandon_ext)
const char *ldap_err2string(void) { return "LDAP is not built into fleetdeck"; }
NOTHING(ldap_free_urldesc)
FAIL_PTR(ldap_get_attribute_ber)
FAIL_PTR(ldap_get_dn_ber)
FAIL_INT(ldap_get_option)
FAIL_INT(ldap_init_fd)
NOTHING(ldap_memfree)
FAIL_INT(ldap_msgfree)
FAIL_INT(ldap_msgtype)
FAIL_INT(ldap_parse_result)
FAIL_INT(ldap_parse_sasl_bind_result)
FAIL_INT(ldap_pvt_url_scheme2proto)
FAIL_INT(ldap_result)
FAIL_INT(ldap_sasl_bind)
FAIL_INT(ldap_search_ext)
FAIL_INT(ldap_set_option)
FAIL_INT(ldap_start_tls)
FAIL_INT(ldap_unbind_ext)
FAIL_INT(ldap_url_parse)
