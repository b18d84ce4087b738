# SPDX-License-Identifier: MIT
# MEMSPIKE_FUZZ=ON: every target (the libraries the harnesses link included) is compiled with
# libFuzzer's coverage instrumentation plus AddressSanitizer and UndefinedBehaviorSanitizer, so a
# finding anywhere under the parsers stops the fuzzer. Only the harnesses link libFuzzer's main.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MEMSPIKE_FUZZ=ON needs clang++ (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
                      "(scripts/fuzz.sh does)")
endif()
set(MEMSPIKE_FUZZ_SANITIZE "address,undefined" CACHE STRING "sanitizers the fuzz build adds to libFuzzer")
add_compile_options(-fsanitize=fuzzer-no-link,${MEMSPIKE_FUZZ_SANITIZE} -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=${MEMSPIKE_FUZZ_SANITIZE})
