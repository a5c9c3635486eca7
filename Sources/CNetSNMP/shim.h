// net-snmp (Debian libsnmp-dev), for the SNMP plugin: its single-session API
// (snmp_sess_*), one session per target, each used by one thread only.
// glibc's feature set first, as every other module of the build sees it: net-snmp-config.h
// defines _GNU_SOURCE, which would give this module an fd_set with another member name
// (fds_bits, not __fds_bits) than Dispatch's, and clang refuses the two definitions in one
// build (a fresh clone's first `swift build` failed in SynseServerCore).
#include <features.h>
#include <sys/select.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <string.h>

// Macros Swift does not import (they expand to expressions over other macros).
static inline int synse_snmp_version_2c(void) { return SNMP_VERSION_2c; }
static inline int synse_snmp_version_3(void) { return SNMP_VERSION_3; }
static inline int synse_snmp_msg_get(void) { return SNMP_MSG_GET; }
static inline int synse_snmp_msg_getnext(void) { return SNMP_MSG_GETNEXT; }
static inline int synse_snmp_msg_getbulk(void) { return SNMP_MSG_GETBULK; }
static inline int synse_snmp_msg_set(void) { return SNMP_MSG_SET; }

// The library once per process, without the config files, MIB files and persistent state
// of the net-snmp tools: the plugin names OIDs numerically and keeps nothing on disk.
static inline void synse_snmp_init(void) {
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
  netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
  setenv("MIBS", "", 1);
  setenv("MIBDIRS", "", 1);
  init_snmp("synse-snmp-plugin");
}

// auth: 0 none, 1 MD5, 2 SHA, 3 SHA224, 4 SHA256, 5 SHA384, 6 SHA512.
// priv: 0 none, 1 DES, 2 AES (128), 3 AES192, 4 AES256.
// Opens one session (SNMPv2c with `community`, or SNMPv3 USM), or returns NULL with the
// library's reason in `error`. SNMPv3 keys are localized by net-snmp (RFC 3414 §2.6).
static inline void *synse_snmp_open(const char *peer, int version, const char *community,
                                    const char *user, int auth, const char *auth_key, int priv,
                                    const char *priv_key, const char *context, long timeout_us,
                                    int retries, char *error, size_t error_size) {
  netsnmp_session s;
  snmp_sess_init(&s);
  s.peername = (char *)peer;
  s.version = version;
  s.timeout = timeout_us;
  s.retries = retries;
  error[0] = 0;
  if (version == SNMP_VERSION_3) {
    s.securityName = (char *)user;
    s.securityNameLen = strlen(user);
    s.securityLevel = priv ? SNMP_SEC_LEVEL_AUTHPRIV : auth ? SNMP_SEC_LEVEL_AUTHNOPRIV : SNMP_SEC_LEVEL_NOAUTH;
    s.contextName = (char *)context;
    s.contextNameLen = strlen(context);
    if (auth) {
      const oid *proto = NULL;
      size_t len = 0;
      switch (auth) {
#ifndef NETSNMP_DISABLE_MD5
      case 1: proto = usmHMACMD5AuthProtocol; len = OID_LENGTH(usmHMACMD5AuthProtocol); break;
#endif
      case 2: proto = usmHMACSHA1AuthProtocol; len = OID_LENGTH(usmHMACSHA1AuthProtocol); break;
      case 3: proto = usmHMAC128SHA224AuthProtocol; len = OID_LENGTH(usmHMAC128SHA224AuthProtocol); break;
      case 4: proto = usmHMAC192SHA256AuthProtocol; len = OID_LENGTH(usmHMAC192SHA256AuthProtocol); break;
      case 5: proto = usmHMAC256SHA384AuthProtocol; len = OID_LENGTH(usmHMAC256SHA384AuthProtocol); break;
      case 6: proto = usmHMAC384SHA512AuthProtocol; len = OID_LENGTH(usmHMAC384SHA512AuthProtocol); break;
      default: snprintf(error, error_size, "authentication protocol not supported by net-snmp"); return NULL;
      }
      s.securityAuthProto = (oid *)proto;
      s.securityAuthProtoLen = len;
      s.securityAuthKeyLen = USM_AUTH_KU_LEN;
      if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen, (const u_char *)auth_key, strlen(auth_key),
                      s.securityAuthKey, &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
        snprintf(error, error_size, "cannot derive the authentication key (authKey must be at least 8 characters)");
        return NULL;
      }
    }
    if (priv) {
      const oid *proto = NULL;
      size_t len = 0;
      switch (priv) {
#ifndef NETSNMP_DISABLE_DES
      case 1: proto = usmDESPrivProtocol; len = OID_LENGTH(usmDESPrivProtocol); break;
#endif
      case 2: proto = usmAESPrivProtocol; len = OID_LENGTH(usmAESPrivProtocol); break;
      case 3: proto = usmAES192PrivProtocol; len = OID_LENGTH(usmAES192PrivProtocol); break;
      case 4: proto = usmAES256PrivProtocol; len = OID_LENGTH(usmAES256PrivProtocol); break;
      default: snprintf(error, error_size, "privacy protocol not supported by net-snmp"); return NULL;
      }
      s.securityPrivProto = (oid *)proto;
      s.securityPrivProtoLen = len;
      s.securityPrivKeyLen = USM_PRIV_KU_LEN;
      if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen, (const u_char *)priv_key, strlen(priv_key),
                      s.securityPrivKey, &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
        snprintf(error, error_size, "cannot derive the privacy key (privKey must be at least 8 characters)");
        return NULL;
      }
    }
  } else {
    s.community = (u_char *)community;
    s.community_len = strlen(community);
  }
  void *handle = snmp_sess_open(&s);
  if (!handle) {
    int liberr = 0, syserr = 0;
    char *text = NULL;
    snmp_error(&s, &liberr, &syserr, &text);
    snprintf(error, error_size, "%s", text ? text : "cannot open the session");
    free(text);
  }
  return handle;
}

// The library's text for the last failure of `handle` (its timeout, an authentication
// failure reported by the agent…); the caller frees it.
static inline char *synse_snmp_error(void *handle) {
  int liberr = 0, syserr = 0;
  char *text = NULL;
  snmp_sess_error(handle, &liberr, &syserr, &text);
  return text;
}

static inline int synse_snmp_timeout_status(void) { return STAT_TIMEOUT; }
static inline int synse_snmp_success_status(void) { return STAT_SUCCESS; }
static inline int synse_snmp_no_such_object(void) { return SNMP_NOSUCHOBJECT; }
static inline int synse_snmp_no_such_instance(void) { return SNMP_NOSUCHINSTANCE; }
static inline int synse_snmp_end_of_mib_view(void) { return SNMP_ENDOFMIBVIEW; }
