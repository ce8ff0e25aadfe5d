// libyaml (Debian's libyaml-dev), the parser Yams wraps, used directly: Yams imports full
// Foundation, which would add ICU (~45 MB) to the static binary.
#ifndef FLEETDECK_CYAML_SHIM_H
#define FLEETDECK_CYAML_SHIM_H
#include <yaml.h>
#endif
