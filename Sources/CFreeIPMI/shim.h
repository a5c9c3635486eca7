// FreeIPMI (Debian libfreeipmi-dev), for the IPMI plugin.
#include <freeipmi/freeipmi.h>

// FreeIPMI's command templates are arrays of unknown size, which Swift does not import:
// these hand them over as pointers for fiid_obj_create().
static inline fiid_field_t *synse_tmpl_get_system_guid_rs(void) { return tmpl_cmd_get_system_guid_rs; }
static inline fiid_field_t *synse_tmpl_get_chassis_status_rs(void) { return tmpl_cmd_get_chassis_status_rs; }
static inline fiid_field_t *synse_tmpl_chassis_control_rs(void) { return tmpl_cmd_chassis_control_rs; }
static inline fiid_field_t *synse_tmpl_get_sensor_thresholds_rs(void) { return tmpl_cmd_get_sensor_thresholds_rs; }
