#include "CFleetdeckSupport.h"
/* scripts/build-release writes the commit here (only this file sees it, so a new commit
   rebuilds this file alone); other builds have none. */
#if __has_include("fleetdeck_build_stamp.h")
#include "fleetdeck_build_stamp.h"
#endif
#ifndef FLEETDECK_GIT_COMMIT
#define FLEETDECK_GIT_COMMIT "unknown"
#endif
#ifndef FLEETDECK_BUILD_KIND
#define FLEETDECK_BUILD_KIND "debug"
#endif
const char *fd_build_commit(void) { return FLEETDECK_GIT_COMMIT; }
const char *fd_build_kind(void) { return FLEETDECK_BUILD_KIND; }
