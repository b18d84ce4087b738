# SPDX-License-Identifier: MIT
# Run at every build (cmake -P, from cli/CMakeLists.txt): writes OUT, a .cpp holding the source
# tree's git revision for `memspike --version`, and rewrites it only when the revision changed, so
# an unchanged tree recompiles nothing. Empty when SRC is not a git checkout (a source tarball).
#   cmake -DSRC=<source dir> -DOUT=<file.cpp> [-DGIT=<git>] -P memspike_git_revision.cmake
set(rev "")
if(GIT)
  execute_process(COMMAND ${GIT} -C ${SRC} describe --always --dirty --abbrev=7
    OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    set(rev "")
  endif()
endif()
string(CONCAT text "// Generated at build time by cmake/memspike_git_revision.cmake.\n"
                   "namespace memspike::cli {\nextern const char git_revision[] = \"${rev}\";\n}\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
