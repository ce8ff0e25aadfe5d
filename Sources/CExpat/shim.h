// Expat for Swift (the XML parser behind the query and REST-XML AWS protocols).
#ifndef FLEETDECK_CEXPAT_SHIM_H
#define FLEETDECK_CEXPAT_SHIM_H
#include <expat.h>
static inline const char *fd_expat_version_string(void) { return XML_ExpatVersion(); }
#endif
