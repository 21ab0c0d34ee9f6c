# R reference for the Early Warning Project's public model, same design as Vigil's parity run:
# for every base year t from 1993 to 2023 (31 walk-forward refits) and the final fit for 2024,
# train cv.glmnet (alpha 0.5, binomial deviance, 10 folds, lambda.min) on the complete rows with
# year <= t - 2 and predict every complete row of year t from its 39 predictors.
#
# Usage: Rscript ewp_reference.R TABLE.csv OUT.csv [FIRST] [LAST]
suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
table_path <- args[1]
out_path <- args[2]
first <- if (length(args) >= 3) as.integer(args[3]) else 1993L
last <- if (length(args) >= 4) as.integer(args[4]) else 2024L

predictors <- c(
  "widetargeting", "narrowtargeting", "v2csgender_binary", "v2mecenefm_binary",
  "partyban.new.0", "partyban.new.1", "partyban.new.2", "minorityrule", "judicialreform",
  "religiousfreedom", "pol_killing_approved", "freediscussion", "social_inequality",
  "even_civilrights", "repress_civilsoc", "social_power_dist", "ses_power_dist",
  "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex", "discrimpop", "reg.na", "reg.eap",
  "reg.sca", "reg.mna", "reg.eur", "ios.iccpr1", "battledeaths.log2", "coup.try.5yr",
  "mk_ongoing_count_log2", "mean_mk_onset_interaction", "mk_onset_prev_year", "newcountry",
  "mk_ever", "year", "year_sq", "countryage.new.log2", "includesnonstate"
)

data <- read.csv(table_path, check.names = FALSE, stringsAsFactors = FALSE)
complete <- complete.cases(data[, predictors])
data <- data[complete, ]
set.seed(20250903)

results <- list()
for (t in first:last) {
  train <- data[data$year <= t - 2, ]
  test <- data[data$year == t, ]
  fit <- cv.glmnet(
    x = as.matrix(train[, predictors]), y = train$mk_onset_1or2,
    family = "binomial", alpha = 0.5, nfolds = 10, type.measure = "deviance"
  )
  p <- predict(fit, newx = as.matrix(test[, predictors]), s = "lambda.min", type = "response")
  results[[length(results) + 1]] <- data.frame(
    base_year = t, ccode = test$ccode, probability = as.numeric(p), lambda = fit$lambda.min
  )
}
write.csv(do.call(rbind, results), out_path, row.names = FALSE)
