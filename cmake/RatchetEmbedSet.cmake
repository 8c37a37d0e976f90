# ratchet_embed_set(): compiles an upgrade set into a program, so that the
# program upgrades its database with no set directory beside it. Included by
# ratchet's own build and installed with its CMake package.
#
#   ratchet_embed_set(<target> <dir> [NAME <identifier>])
#
# Embeds ratchet.toml and everything under items/ of the set directory <dir>
# (relative to the current source directory) into <target>, byte for byte,
# and links <target> with ratchet::ratchet. The program includes
# "<identifier>.h" and loads the set with
#   ratchet::LoadEmbeddedSet(<identifier>())
# NAME defaults to the directory's name followed by "_set" ("bookshop_set").
# The files are read again whenever one of them changes; adding or removing
# a file re-runs CMake, which picks the new list up.

set(_RATCHET_EMBED_GENERATOR "${CMAKE_CURRENT_LIST_DIR}/RatchetEmbedGenerate.cmake")

function(ratchet_embed_set target dir)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "NAME" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ratchet_embed_set: unexpected arguments '${arg_UNPARSED_ARGUMENTS}': "
                        "write ratchet_embed_set(<target> <dir> [NAME <identifier>])")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "ratchet_embed_set: '${target}' is not a target: call it after "
                        "add_executable(${target} ...) or add_library(${target} ...)")
  endif()
  get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${dir}/ratchet.toml" OR NOT IS_DIRECTORY "${dir}/items")
    message(FATAL_ERROR "ratchet_embed_set: ${dir} is not an upgrade set (it needs ratchet.toml "
                        "and items/): give the directory of your set")
  endif()
  if(NOT arg_NAME)
    get_filename_component(base "${dir}" NAME)
    string(MAKE_C_IDENTIFIER "${base}_set" arg_NAME)
  endif()
  string(MAKE_C_IDENTIFIER "${arg_NAME}" identifier)
  if(NOT identifier STREQUAL arg_NAME)
    message(FATAL_ERROR "ratchet_embed_set: NAME '${arg_NAME}' is not a C++ identifier: "
                        "try ${identifier}")
  endif()

  # Every entry under items/ (directories too, so that the loader refuses a
  # directory there as it does on disk), less hidden ones. The list is
  # written only when it changes: a removed file then regenerates as an added
  # or edited one does.
  file(GLOB_RECURSE entries CONFIGURE_DEPENDS LIST_DIRECTORIES true RELATIVE "${dir}"
       "${dir}/items/*")
  list(FILTER entries EXCLUDE REGEX "(^|/)\\.")
  set(listing "items/\n")
  set(depends "${dir}/ratchet.toml")
  list(SORT entries)
  foreach(entry IN LISTS entries)
    if(IS_DIRECTORY "${dir}/${entry}")
      string(APPEND listing "${entry}/\n")
    else()
      string(APPEND listing "${entry}\n")
      list(APPEND depends "${dir}/${entry}")
    endif()
  endforeach()
  string(APPEND listing "ratchet.toml\n")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/ratchet_embedded/${arg_NAME}")
  set(written "")
  if(EXISTS "${out}/files.txt")
    file(READ "${out}/files.txt" written)
  endif()
  if(NOT written STREQUAL listing)
    file(WRITE "${out}/files.txt" "${listing}")
  endif()

  add_custom_command(
    OUTPUT "${out}/${arg_NAME}.cc" "${out}/${arg_NAME}.h"
    COMMAND "${CMAKE_COMMAND}" "-DSET_DIR=${dir}" "-DLISTING=${out}/files.txt"
            "-DNAME=${arg_NAME}" "-DOUT_DIR=${out}" -P "${_RATCHET_EMBED_GENERATOR}"
    DEPENDS "${out}/files.txt" ${depends} "${_RATCHET_EMBED_GENERATOR}"
    COMMENT "Embedding the upgrade set ${dir} as ${arg_NAME}()"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}/${arg_NAME}.cc" "${out}/${arg_NAME}.h")
  target_include_directories(${target} PRIVATE "${out}")
  target_link_libraries(${target} PRIVATE ratchet::ratchet)
endfunction()
