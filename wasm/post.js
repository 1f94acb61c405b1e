// Gives src/codegen a view of the generator's memory that survives growth.
Module['heap'] = function () { return HEAPU8; };
