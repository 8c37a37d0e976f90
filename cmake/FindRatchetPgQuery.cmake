# Finds libpg_query (the PostgreSQL parser as a library), which installs no
# CMake or pkg-config file of its own, and defines the imported target
# ratchet::pg_query. Used by ratchet's build and by its installed package.
find_library(RATCHET_PG_QUERY_LIBRARY NAMES pg_query)
find_path(RATCHET_PG_QUERY_INCLUDE_DIR pg_query.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RatchetPgQuery
  REQUIRED_VARS RATCHET_PG_QUERY_LIBRARY RATCHET_PG_QUERY_INCLUDE_DIR)
if(RatchetPgQuery_FOUND AND NOT TARGET ratchet::pg_query)
  add_library(ratchet::pg_query UNKNOWN IMPORTED)
  set_target_properties(ratchet::pg_query PROPERTIES
    IMPORTED_LOCATION "${RATCHET_PG_QUERY_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${RATCHET_PG_QUERY_INCLUDE_DIR}")
endif()
