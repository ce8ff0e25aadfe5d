#include "CFleetdeckSupport.h"
#ifndef FLEETDECK_GIT_COMMIT
#define FLEETDECK_GIT_COMMIT "unknown"
#endif
#ifndef FLEETDECK_BUILD_KIND
#define FLEETDECK_BUILD_KIND "debug"
#endif
const char *fd_build_commit(void) { return FLEETDECK_GIT_COMMIT; }
const char *fd_build_kind(void) { return FLEETDECK_BUILD_KIND; }
