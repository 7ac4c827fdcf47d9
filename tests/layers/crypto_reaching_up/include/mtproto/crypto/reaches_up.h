// Fixture for the layer_check_catches test: crypto must not include the TL runtime.
#pragma once
#include "mtproto/tl/writer.h"
