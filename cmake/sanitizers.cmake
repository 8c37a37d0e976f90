# Sanitizer and fuzzing builds. Included before any target is defined, so the
# flags reach the library, the tool, the tests and the fuzz targets alike.
#
#   -DRATCHET_SANITIZE=address,undefined   `make test-asan`: the whole suite
#   -DRATCHET_FUZZ=ON                      `make fuzz`: libFuzzer targets (clang)
set(RATCHET_SANITIZE "" CACHE STRING "sanitizers to build with, e.g. address,undefined")
option(RATCHET_FUZZ "build the fuzz targets for libFuzzer (needs clang)" OFF)

if(RATCHET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RATCHET_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  if(RATCHET_SANITIZE STREQUAL "")
    set(RATCHET_SANITIZE address,undefined)
  endif()
endif()

if(NOT RATCHET_SANITIZE STREQUAL "")
  add_compile_options(-fsanitize=${RATCHET_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${RATCHET_SANITIZE})
endif()
