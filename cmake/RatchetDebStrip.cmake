# Run by cpack before it builds the packages (CPACK_PRE_BUILD_SCRIPTS):
# removes the debug information from the staged libratchet.a, which
# CPACK_STRIP_FILES leaves in static libraries; the symbols a program links
# against stay.
file(GLOB_RECURSE archives "${CPACK_TEMPORARY_DIRECTORY}/*.a")
foreach(archive IN LISTS archives)
  execute_process(COMMAND "${CPACK_RATCHET_STRIP}" --strip-debug "${archive}"
                  RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "cannot strip ${archive}: ${CPACK_RATCHET_STRIP} exited with ${result}")
  endif()
endforeach()
