/* kernels_int.h - private declarations shared by the CPU and CUDA files of
 * kernels/. Not part of the public interface. */
#ifndef WEFT_KERNELS_INT_H
#define WEFT_KERNELS_INT_H

#include "weft_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

void weft_kernels_probe_cpu(weft_kernels_info *info);

#ifdef __cplusplus
}
#endif
#endif
